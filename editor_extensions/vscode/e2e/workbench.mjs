// What drive.mjs and session.mjs share: real VS Code (code-server) in Debian's Chromium with playwright-core,
// the codetape status bar read as a developer reads it, and the run that writes what it saw to OUT as JSON
// (with a screenshot beside it on a failure) and exits 1 on any failure.
import { existsSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const TIMEOUT = 90_000;
export const VIEW_LINES = '.monaco-editor .view-lines';

export const waitFile = async (path, what) => {
    const deadline = Date.now() + TIMEOUT;
    while (!existsSync(path)) {
        if (Date.now() > deadline) {
            throw new Error(`never saw ${what} (${path})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50)); // polling for a file another process writes
    }
};

// Opens URL in a fresh browser, waits for the workbench and runs `drive(page)`; `seen` (with its
// `statuses`) is written to OUT, `seen.ok` saying whether `drive` finished. Never returns: exits 0 or 1.
export const inWorkbench = async (url, out, seen, drive) => {
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
        await drive(page);
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
};

// The codetape status bar item and `waitSteps(what, predicate)`: its step count once `predicate` holds for
// it, every text it showed kept in `seen.statuses` (and the count in `seen.steps[what]` when `seen.steps` exists).
export const statusBar = (page, seen) => {
    const status = page.locator('.statusbar-item').filter({ hasText: 'codetape:' }).first();
    const statusText = async () => ((await status.textContent()) ?? '').trim();
    const waitSteps = async (what, predicate) => {
        const deadline = Date.now() + TIMEOUT;
        for (;;) {
            const text = await statusText();
            if (seen.statuses.at(-1) !== text) {
                seen.statuses.push(text);
            }
            const n = Number(/recording (\d+) step/.exec(text)?.[1] ?? -1);
            if (n >= 0 && predicate(n)) {
                if (seen.steps) {
                    seen.steps[what] = n;
                }
                return n;
            }
            if (Date.now() > deadline) {
                throw new Error(`status bar never showed ${what}; last: ${text}`);
            }
            await page.waitForTimeout(100); // polling the status bar text, which changes on its own
        }
    };
    return { status, waitSteps };
};

// Quick Open (Ctrl+P) on `fileName`, its first match opened, until an editor shows it.
export const quickOpen = async (page, fileName) => {
    await page.keyboard.press('Control+P');
    await page.keyboard.type(fileName);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator(VIEW_LINES).first().waitFor();
};

// Waits until the editor's lines hold `what` (or, with `holds` false, no longer hold it).
export const shows = async (page, what, { timeout = TIMEOUT, holds = true } = {}) => {
    await page.waitForFunction(([selector, what, holds]) => (document.querySelector(selector)?.textContent
        .replace(/\u00a0/g, ' ').includes(what) ?? false) === holds, [VIEW_LINES, what, holds], { timeout });
};

// Ctrl+Space, `word` accepted from the suggest widget, undone (Ctrl+Z) and redone (Ctrl+Shift+Z); each waits
// for what it does to show. `accepted` is the text the line ends with once the word is in.
export const acceptUndoRedo = async (page, word, accepted) => {
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget .monaco-list-row').filter({ hasText: word }).first().waitFor();
    await page.keyboard.press('Enter');
    await shows(page, accepted);
    await page.keyboard.press('Control+Z');
    await shows(page, accepted, { holds: false });
    await page.keyboard.press('Control+Shift+Z');
    await shows(page, accepted);
};
