// A notebook typed in real VS Code (code-server) in Debian's Chromium with playwright-core
// (tests/e2e/vscode/test_notebook_vscode.py): open NOTEBOOK (code, markdown, code cells) in the opted-in
// workspace, wait until the test has seen its open (OUT.opened, then OUT.open-recorded), type CODE0 at the end
// of the first code cell, MARKDOWN at the end of the markdown cell, CODE2 at the end of the last cell, add a
// code cell below it and type ADDED there, move that cell up (both from the command palette), save (Ctrl+S) and wait for the test
// to see the save (OUT.saved1); type AGAIN at the end of the moved cell and save again (OUT.saved2). No
// kernel: the cells are typed, never run. Writes what it saw to OUT as JSON; exits 1 on any failure.
// Usage: node notebook.mjs URL NOTEBOOK OUT CODE0 MARKDOWN CODE2 ADDED AGAIN
import { writeFileSync } from 'node:fs';
import { inWorkbench, statusBar, waitFile } from './workbench.mjs';

const [url, notebook, out, code0, markdown, code2, added, again] = process.argv.slice(2);
const seen = { statuses: [] };
const ROWS = '.notebook-editor .cell-list-container .monaco-list-row';

await inWorkbench(url, out, seen, async (page) => {
    const { status, waitSteps } = statusBar(page, seen);
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);
    // cell `index`'s editor shows `what` (as typed; any white space as a space: VS Code renders spaces as nbsp)
    const holds = (index, what) => page.waitForFunction(([selector, what]) => (document.querySelector(selector)
        ?.textContent ?? '').replace(/\s/g, ' ').includes(what.replace(/\s/g, ' ')),
    [`${ROWS}[data-index="${index}"] .view-lines`, what]);
    // (attached: a markdown cell's row, its preview in a webview, is never "visible" to Playwright)
    const focusedRow = (index) => page.locator(`${ROWS}.focused[data-index="${index}"]`).waitFor({ state: 'attached' });
    // into a focused cell's editor (command mode: Enter), at its end, `text` typed, back to command mode
    const typeAtEnd = async (index, text) => {
        await focusedRow(index);
        await page.keyboard.press('Enter');
        await page.locator(`${ROWS}[data-index="${index}"] .monaco-editor.focused`).waitFor();
        await page.keyboard.press('Control+End');
        await page.keyboard.type(text, { delay: 30 });
        await holds(index, text);
        await page.keyboard.press('Escape');
    };

    // a command run from the command palette (F1), by its title
    const command = async (title) => {
        await page.keyboard.press('F1');
        await page.keyboard.type(title);
        await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first().waitFor();
        await page.keyboard.press('Enter');
    };

    await page.keyboard.press('Control+P');
    await page.keyboard.type(notebook);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`${ROWS}[data-index="2"]`).waitFor();
    writeFileSync(`${out}.opened`, '');  // the bridge must have the notebook before a key is typed
    await waitFile(`${out}.open-recorded`, 'the test to see the open');

    await page.locator(`${ROWS}[data-index="0"] .monaco-editor .view-lines`).click();
    await page.keyboard.press('Escape');
    await typeAtEnd(0, code0);
    await page.keyboard.press('ArrowDown');
    await typeAtEnd(1, markdown);
    await page.keyboard.press('ArrowDown');
    await typeAtEnd(2, code2);
    await command('Notebook: Insert Code Cell Below');  // in edit mode
    await page.locator(`${ROWS}[data-index="3"] .monaco-editor.focused`).waitFor();
    await page.keyboard.type(added, { delay: 30 });
    await holds(3, added);
    await page.keyboard.press('Escape');
    await focusedRow(3);
    await command('Notebook: Move Cell Up');
    await focusedRow(2);
    await page.keyboard.press('Control+S');
    await waitFile(`${out}.saved1`, 'the test to see the first save');

    await typeAtEnd(2, again);
    await page.keyboard.press('Control+S');
    await waitFile(`${out}.saved2`, 'the test to see the second save');
});
