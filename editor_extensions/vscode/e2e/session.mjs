// The data team's session in real VS Code (code-server) in Debian's Chromium with playwright-core
// (tests/e2e/data_team_session.py): open the opted-in workspace, wait until the codetape status bar says
// recording, open FILE_NAME (and wait until the test has seen its open in the collector's journal: OUT.opened,
// then OUT.open-recorded), paste PASTE at its end, type PREFIX, accept WORD from the suggest widget, undo
// and redo it, type REST, type DEBUG on the line after it and delete it (Shift+Home, Backspace), save;
// once the test has seen the save on disk and in the collector's journal (it says so by creating
// OUT.saved), close the browser. Writes what it saw to OUT as JSON; exits 1 on any
// failure.
// Usage: node session.mjs URL FILE_NAME OUT PASTE PREFIX WORD REST DEBUG
import { existsSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, fileName, out, pasted, prefix, word, rest, debug] = process.argv.slice(2);
const seen = { statuses: [] };
const TIMEOUT = 90_000;
const waitFile = async (path, what) => {
    const deadline = Date.now() + TIMEOUT;
    while (!existsSync(path)) {
        if (Date.now() > deadline) {
            throw new Error(`never saw ${what} (${path})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50)); // polling for a file another process writes
    }
};

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
});
try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor();
    const status = page.locator('.statusbar-item').filter({ hasText: 'codetape:' }).first();
    const waitSteps = async (what, predicate) => {
        const deadline = Date.now() + TIMEOUT;
        for (;;) {
            const text = ((await status.textContent()) ?? '').trim();
            if (seen.statuses.at(-1) !== text) {
                seen.statuses.push(text);
            }
            const n = Number(/recording (\d+) step/.exec(text)?.[1] ?? -1);
            if (n >= 0 && predicate(n)) {
                return n;
            }
            if (Date.now() > deadline) {
                throw new Error(`status bar never showed ${what}; last: ${text}`);
            }
            await page.waitForTimeout(100); // polling the status bar text, which changes on its own
        }
    };
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);

    await page.keyboard.press('Control+P');
    await page.keyboard.type(fileName);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    // a developer looks at the file before typing: the test says its open reached the collector
    writeFileSync(`${out}.opened`, '');
    await waitFile(`${out}.open-recorded`, 'the test to see the open');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    const shows = async (what) => {
        await page.waitForFunction(([selector, what]) => document.querySelector(selector)?.textContent
            .replace(/\u00a0/g, ' ').includes(what), ['.monaco-editor .view-lines', what]);
    };
    await page.evaluate((pasted) => navigator.clipboard.writeText(pasted), pasted);
    await page.keyboard.press('Control+V');
    await shows(pasted.trim().split('\n').at(-1).trim());
    await page.keyboard.type(prefix, { delay: 20 });
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget .monaco-list-row').filter({ hasText: word }).first().waitFor();
    await page.keyboard.press('Enter');
    const accepted = prefix.split('\n').at(-1).replace(/\w+$/, '') + word;
    await shows(accepted);
    await page.keyboard.press('Control+Z');
    await page.waitForFunction(([selector, accepted]) => !document.querySelector(selector)?.textContent
        .replace(/\u00a0/g, ' ').includes(accepted), ['.monaco-editor .view-lines', accepted]);
    await page.keyboard.press('Control+Shift+Z');
    await shows(accepted);
    await page.keyboard.type(rest, { delay: 20 });
    await page.keyboard.type(debug, { delay: 20 }); // (VS Code closes the bracket and the quote itself)
    await shows(debug);
    await page.keyboard.press('Escape'); // (a suggestion still shown would take the keys below)
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await page.waitForFunction(([selector, debug]) => !document.querySelector(selector)?.textContent
        .replace(/\u00a0/g, ' ').includes(debug), ['.monaco-editor .view-lines', debug]);
    await page.keyboard.press('Control+S');
    await waitFile(`${out}.saved`, 'the test to see the save');
    seen.ok = true;
} catch (error) {
    seen.ok = false;
    seen.error = String(error?.stack ?? error);
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) {
        await pages[0].screenshot({ path: out.replace(/\.json$/, '.png') }).catch(() => undefined);
    }
} finally {
    writeFileSync(out, JSON.stringify(seen, null, 2));
    await browser.close();
}
process.exit(seen.ok ? 0 : 1);
