// Drives real VS Code (code-server) in Debian's Chromium with playwright-core, as a developer would:
// open the opted-in workspace, watch the codetape status bar, open a file, type, save; paste, type, accept a
// word from the suggest widget, undo and redo it, save; open JSON_NAME and run Format Document on it; run a
// command in the integrated terminal, seal from the status bar menu, answer Review to the prompt and sign in
// the review webview after its confirmation. Writes what it saw to OUT as JSON; exits 1 on any failure.
// Usage: node drive.mjs URL FILE_NAME TEXT COMMAND OUT PASTE TYPED JSON_NAME
import { writeFileSync } from 'node:fs';
import { acceptUndoRedo, inWorkbench, quickOpen, shows, statusBar, VIEW_LINES, waitFile } from './workbench.mjs';

const [url, fileName, text, command, out, pasted, typed, jsonName] = process.argv.slice(2);
const seen = { statuses: [], steps: {}, timings: {} };
const started = Date.now();
const mark = (name) => { seen.timings[name] = Date.now() - started; };
const FORMAT_TRY_MS = 20_000; // one try of Format Document: the formatted text, or VS Code saying there is no formatter
const FORMAT_TRIES = 6;

await inWorkbench(url, out, seen, async (page) => {
    mark('workbench');
    const { status, waitSteps } = statusBar(page, seen);
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);
    mark('recording');

    await quickOpen(page, fileName);
    const opened = await waitSteps('opened', (n) => n >= 1); // the bridge has the didOpen: typing is an edit
    await page.locator(VIEW_LINES).first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(text, { delay: 20 });
    await page.keyboard.press('Control+S');
    let saved = await waitSteps('saved', (n) => n >= opened + text.length);
    mark('saved');

    // Whose work: a paste, typing, a word accepted from the suggest widget, undone and redone (Ctrl+Z,
    // Ctrl+Shift+Z), then Format Document on a JSON file; each waits for what it does to show.
    const lines = page.locator(VIEW_LINES).first();
    await page.evaluate((pasted) => navigator.clipboard.writeText(pasted), pasted);
    await page.keyboard.press('Control+V');
    await shows(page, pasted.trimEnd());
    await page.keyboard.type(typed, { delay: 20 });
    const word = text.split(' ')[0];
    await acceptUndoRedo(page, word, typed.slice(0, typed.lastIndexOf(' ') + 1) + word);
    await page.keyboard.press('Control+S');
    saved = await waitSteps('origins', (n) => n > saved);
    mark('origins');

    await page.keyboard.press('Control+P');
    await page.keyboard.type(jsonName);
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: jsonName }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active').filter({ hasText: jsonName }).waitFor();
    saved = await waitSteps('json opened', (n) => n > saved); // the bridge has its didOpen
    // JSON's formatter indents with four spaces. It exists once the JSON language server has started:
    // until then VS Code says there is no formatter, and the command is run again.
    // Under load the server can also take the request and answer late, or VS Code drop it while the server
    // starts: each try waits FORMAT_TRY_MS for either answer, and a try that sees neither runs it again.
    const noFormatter = page.locator('.monaco-dialog-box').filter({ hasText: 'no formatter' });
    const settled = (promise, value) => promise.then(() => value, () => 'neither');
    for (let formatted = false, tries = 0; !formatted; tries++) {
        if (tries === FORMAT_TRIES) throw new Error(`Format Document changed nothing in ${tries} tries`);
        await lines.click();
        await page.keyboard.press('F1');
        await page.keyboard.type('Format Document');
        await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: /^Format Document/ }).first().waitFor();
        await page.keyboard.press('Enter');
        const outcome = await Promise.race([settled(shows(page, '    "', { timeout: FORMAT_TRY_MS }), 'formatted'),
            settled(noFormatter.waitFor({ timeout: FORMAT_TRY_MS }), 'no formatter')]);
        formatted = outcome === 'formatted';
        if (outcome === 'no formatter') {
            seen.timings['no formatter yet'] = Date.now() - started;
            await noFormatter.locator('.monaco-button').filter({ hasText: /^Cancel$/ }).click();
            await noFormatter.waitFor({ state: 'hidden' });
        }
    }
    await page.keyboard.press('Control+S');
    saved = await waitSteps('formatted', (n) => n > saved);
    mark('formatted');

    await page.keyboard.press('Control+Backquote');
    const terminal = page.locator('.xterm').first();
    await terminal.waitFor();
    await page.locator('.xterm-rows').filter({ hasText: /[#$]\s*$/ }).first().waitFor(); // the prompt
    await terminal.click();
    await page.keyboard.type(command);
    await page.keyboard.press('Enter');
    // The status bar's count also grows with cursor and diagnostics steps, so it cannot say that the command
    // itself was recorded: the test reads the collector's journal for it, and says so by creating OUT.recorded.
    writeFileSync(`${out}.typed`, '');
    await waitFile(`${out}.recorded`, 'the test to see the command in the journal');
    await waitSteps('command', (n) => n > saved);
    mark('command');

    await status.click();
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'Seal the episode now' }).click();
    const toast = page.locator('.notification-toast').filter({ hasText: 'episode ready for review' });
    await toast.locator('a.monaco-button, .monaco-button').filter({ hasText: /^Review$/ }).click();
    mark('review prompt answered');
    const webview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await webview.locator('button[data-codetape-action="sign"]').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: 'Sign episode' }).waitFor();
    seen.confirmation = ((await dialog.textContent()) ?? '').trim();
    await dialog.locator('.monaco-button').filter({ hasText: /^Sign & upload$/ }).click();
    await webview.locator('#codetape-review-said').filter({ hasText: 'signed by' }).waitFor();
    seen.signed = (await webview.locator('#codetape-review-said').textContent()).trim();
    mark('signed');
    await page.screenshot({ path: out.replace(/\.json$/, '.png') });
});
