// Reloads from disk in real VS Code (code-server) in Debian's Chromium with playwright-core
// (tests/e2e/vscode/test_extension_vscode.py): the developer types in FILE_NAME and saves; another process (an
// agent, git) rewrites the file; VS Code reloads the clean file by itself, or its Revert File command
// reloads it; the developer types on. Each round waits for the test: after its save the driver creates
// OUT.saved-N and waits for OUT.written-N (the test has seen the save in the collector's journal and
// rewritten the file, or left it), then for the editor to show what the file holds now.
// Writes what it saw to OUT as JSON; exits 1 on any failure.
// Usage: node reload.mjs URL FILE_NAME OUT ROUNDS_JSON
// ROUNDS_JSON: [{"type": text typed at the end, "undo": true to undo and redo it, "shows": text the reload
// brings, "gone": text the reload takes away, "revert": true to type `type`, then reload with Revert File}]
import { writeFileSync } from 'node:fs';
import { inWorkbench, quickOpen, shows, statusBar, VIEW_LINES, waitFile } from './workbench.mjs';

const [url, fileName, out, roundsJson] = process.argv.slice(2);
const rounds = JSON.parse(roundsJson);
const seen = { statuses: [] };

await inWorkbench(url, out, seen, async (page) => {
    const { status, waitSteps } = statusBar(page, seen);
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);
    await quickOpen(page, fileName);
    writeFileSync(`${out}.opened`, '');
    await waitFile(`${out}.open-recorded`, 'the test to see the open');
    const lines = page.locator(VIEW_LINES).first();
    await lines.click();
    for (const [index, round] of rounds.entries()) {
        await page.keyboard.press('Control+End');
        await page.keyboard.type(round.type, { delay: 20 });
        await shows(page, round.type);
        if (round.undo) {
            await page.keyboard.press('Control+Z');
            await shows(page, round.type, { holds: false });
            await page.keyboard.press('Control+Shift+Z');
            await shows(page, round.type);
        }
        if (round.revert) { // File: Revert File (workbench.action.files.revert): the typing is dropped
            await page.keyboard.press('F1');
            await page.keyboard.type('File: Revert File');
            await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: /^File: Revert File/ }).first()
                .click();
            await shows(page, round.type, { holds: false });
            await lines.click();
            continue;
        }
        await page.keyboard.press('Control+S');
        writeFileSync(`${out}.saved-${index}`, '');
        await waitFile(`${out}.written-${index}`, `the test to rewrite the file after save ${index}`);
        if (round.shows) {
            await shows(page, round.shows);
        }
        if (round.gone) {
            await shows(page, round.gone, { holds: false });
        }
    }
});
