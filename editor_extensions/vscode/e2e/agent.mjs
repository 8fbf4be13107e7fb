// The developer's part of "the developer meets the agent" (tests/e2e/agent_meets_editor.py) in real VS Code
// (code-server) in Debian's Chromium with playwright-core: open FILE_NAME (and wait until the test has seen
// its open in the collector's journal: OUT.opened, then OUT.open-recorded), type TYPED_BEFORE as a new first
// line, paste PASTED after the last line's end (before the final newline), save; create OUT.saved-0 and wait
// for OUT.turned (the test has seen the save in the collector's journal and run the agent's turn, which
// rewrote the file); wait until VS Code, the file clean, has reloaded it and shows RELOADED; type
// TYPED_AFTER on a new line after the last one, then on a new line PREFIX, WORD accepted from the suggest
// widget, REST; save; create OUT.saved-1 and wait for OUT.recorded-1 (the test has seen that save).
// Writes what it saw to OUT as JSON; exits 1 on any failure.
// Usage: node agent.mjs URL FILE_NAME OUT TEXTS_JSON
// TEXTS_JSON: {"typedBefore", "pasted", "reloaded", "typedAfter", "prefix", "word", "rest"}
import { existsSync, writeFileSync } from 'node:fs';
import { inWorkbench, quickOpen, shows, statusBar, VIEW_LINES, waitFile } from './workbench.mjs';

const TURN_MS = 300_000; // the agent's turn: a real binary starting, with its hooks, and two model turns

const [url, fileName, out, textsJson] = process.argv.slice(2);
const { typedBefore, pasted, reloaded, typedAfter, prefix, word, rest } = JSON.parse(textsJson);
const seen = { statuses: [] };

// The last line's end, before the final newline (Ctrl+End is on the empty line after it).
const lastLineEnd = async (page) => {
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowLeft');
};

await inWorkbench(url, out, seen, async (page) => {
    const { status, waitSteps } = statusBar(page, seen);
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);
    await quickOpen(page, fileName);
    writeFileSync(`${out}.opened`, '');
    await waitFile(`${out}.open-recorded`, 'the test to see the open');
    await page.locator(VIEW_LINES).first().click();

    await page.keyboard.press('Control+Home');
    await page.keyboard.type(typedBefore, { delay: 20 });
    await page.keyboard.press('Enter');
    await shows(page, typedBefore);
    await lastLineEnd(page);
    await page.evaluate((pasted) => navigator.clipboard.writeText(pasted), pasted);
    await page.keyboard.press('Control+V');
    await shows(page, pasted.trim().split('\n').at(-1).trim());
    await page.keyboard.press('Control+S');
    writeFileSync(`${out}.saved-0`, '');
    // the agent's turn (Claude Code or Codex) runs now: the test creates OUT.turned once it has exited 0
    const deadline = Date.now() + TURN_MS;
    while (!existsSync(`${out}.turned`)) {
        if (Date.now() > deadline) {
            throw new Error(`never saw the agent's turn end (${out}.turned)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50)); // polling for a file the test creates
    }
    await shows(page, reloaded); // VS Code reloads the clean file the agent rewrote, by itself

    await lastLineEnd(page);
    await page.keyboard.press('Enter');
    await page.keyboard.type(typedAfter, { delay: 20 });
    await page.keyboard.press('Enter');
    await page.keyboard.type(prefix, { delay: 20 });
    await page.keyboard.press('Control+Space'); // the word-based suggestion: a word of the file
    await page.locator('.suggest-widget .monaco-list-row').filter({ hasText: word }).first().waitFor();
    await page.keyboard.press('Enter');
    await shows(page, typedAfter + word); // (the lines' text runs on from one line to the next)
    await page.keyboard.type(rest, { delay: 20 });
    await shows(page, typedAfter + word + rest);
    await page.keyboard.press('Control+S');
    writeFileSync(`${out}.saved-1`, '');
    await waitFile(`${out}.recorded-1`, 'the test to see the last save');
});
