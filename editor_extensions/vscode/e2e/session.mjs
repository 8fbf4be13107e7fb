// The data team's session in real VS Code (code-server) in Debian's Chromium with playwright-core
// (tests/e2e/data_team_session.py): open the opted-in workspace, wait until the codetape status bar says
// recording, open FILE_NAME (and wait until the test has seen its open in the collector's journal: OUT.opened,
// then OUT.open-recorded), paste PASTE at its end, type PREFIX, accept WORD from the suggest widget, undo
// and redo it, type REST, type DEBUG on the line after it and delete it (Shift+Home, Backspace), save;
// once the test has seen the save on disk and in the collector's journal (it says so by creating
// OUT.saved), close the browser. Writes what it saw to OUT as JSON; exits 1 on any
// failure.
// Usage: node session.mjs URL FILE_NAME OUT PASTE PREFIX WORD REST DEBUG
import { writeFileSync } from 'node:fs';
import { acceptUndoRedo, inWorkbench, quickOpen, shows, statusBar, VIEW_LINES, waitFile } from './workbench.mjs';

const [url, fileName, out, pasted, prefix, word, rest, debug] = process.argv.slice(2);
const seen = { statuses: [] };

await inWorkbench(url, out, seen, async (page) => {
    const { status, waitSteps } = statusBar(page, seen);
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);

    await quickOpen(page, fileName);
    // a developer looks at the file before typing: the test says its open reached the collector
    writeFileSync(`${out}.opened`, '');
    await waitFile(`${out}.open-recorded`, 'the test to see the open');
    await page.locator(VIEW_LINES).first().click();
    await page.keyboard.press('Control+End');
    await page.evaluate((pasted) => navigator.clipboard.writeText(pasted), pasted);
    await page.keyboard.press('Control+V');
    await shows(page, pasted.trim().split('\n').at(-1).trim());
    await page.keyboard.type(prefix, { delay: 20 });
    await acceptUndoRedo(page, word, prefix.split('\n').at(-1).replace(/\w+$/, '') + word);
    await page.keyboard.type(rest, { delay: 20 });
    await page.keyboard.type(debug, { delay: 20 }); // (VS Code closes the bracket and the quote itself)
    await shows(page, debug);
    await page.keyboard.press('Escape'); // (a suggestion still shown would take the keys below)
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await shows(page, debug, { holds: false });
    await page.keyboard.press('Control+S');
    await waitFile(`${out}.saved`, 'the test to see the save');
});
