// Whether the extension found codetape and records, in real VS Code (code-server) in Debian's Chromium with
// playwright-core (tests/e2e/vscode/test_extension_vscode.py, issue 56 item 7): open the opted-in workspace and
// wait until the codetape status bar says recording. Writes what it saw to OUT as JSON; exits 1 on any
// failure.
// Usage: node found.mjs URL OUT
import { inWorkbench, statusBar } from './workbench.mjs';

const [url, out] = process.argv.slice(2);
const seen = { statuses: [] };

await inWorkbench(url, out, seen, async (page) => {
    const { status, waitSteps } = statusBar(page, seen);
    await status.waitFor();
    await waitSteps('recording', (n) => n >= 0);
});
