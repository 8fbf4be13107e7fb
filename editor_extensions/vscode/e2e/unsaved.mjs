// An agent's write over the developer's unsaved edits in real VS Code (code-server) in Debian's Chromium with
// playwright-core (tests/e2e/vscode/test_extension_vscode.py, issue 54 item 3): open FILE_NAME (OUT.opened, then
// wait for OUT.open-recorded), type TYPED on the empty last line and do not save; create OUT.typed and wait
// for OUT.written (the test has seen the typing in the collector's journal and run the agent's turn, which
// wrote the file on disk under the dirty buffer). Then, by CHOICE:
// - "overwrite" (the developer's text wins): Ctrl+S; VS Code refuses ("The content of the file is newer");
//   its Overwrite button saves the buffer over the agent's write;
// - "revert" (the agent's text wins): File: Revert File drops the typing and shows the file as the agent
//   wrote it (AGENTS); Ctrl+S (VS Code saves a clean file too: the same text).
// Then creates OUT.saved and waits for OUT.recorded (the test has seen the save).
// Writes what it saw to OUT as JSON; exits 1 on any failure.
// Usage: node unsaved.mjs URL FILE_NAME OUT TEXTS_JSON
// TEXTS_JSON: {"typed": the developer's unsaved text, "agents": a text only the agent's write has,
//              "choice": "overwrite" or "revert"}
import { writeFileSync } from 'node:fs';
import { inWorkbench, quickOpen, shows, statusBar, VIEW_LINES, waitFile } from './workbench.mjs';

const [url, fileName, out, textsJson] = process.argv.slice(2);
const { typed, agents, choice } = JSON.parse(textsJson);
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
    await page.keyboard.press('Control+End');
    await page.keyboard.type(typed, { delay: 20 });
    await shows(page, typed);
    const dirty = page.locator('.tabs-container .tab.dirty');
    await dirty.waitFor();
    writeFileSync(`${out}.typed`, '');
    await waitFile(`${out}.written`, 'the test to run the agent\'s turn');

    if (choice === 'overwrite') {
        await page.keyboard.press('Control+S');
        const toast = page.locator('.notification-toast').filter({ hasText: 'The content of the file is newer' });
        await toast.waitFor();
        seen.conflict = ((await toast.locator('.notification-list-item-message').textContent()) ?? '').trim();
        await toast.getByRole('button', { name: 'Overwrite' }).click();
        await dirty.waitFor({ state: 'detached' });
        await shows(page, typed);
        await shows(page, agents, { holds: false });
    } else {
        await page.keyboard.press('F1');
        await page.keyboard.type('File: Revert File');
        await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: /^File: Revert File/ }).first()
            .click();
        await shows(page, agents);
        await shows(page, typed, { holds: false });
        await dirty.waitFor({ state: 'detached' });
        await lines.click();
        await page.keyboard.press('Control+S');
    }
    seen.shown = ((await lines.textContent()) ?? '').replace(/\u00a0/g, ' ');
    writeFileSync(`${out}.saved`, '');
    await waitFile(`${out}.recorded`, 'the test to see the save');
});
