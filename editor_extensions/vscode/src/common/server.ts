// The bridge: `codetape bridge` (observe mode) through vscode-languageclient, for file documents of the
// opted-in workspace folders. One client per window; restarted when settings or folders change.

import { CLIENT_ID, CLIENT_NAME, EXPERIMENTAL_CAPABILITIES } from './constants';
import { bridgeCommand, Launcher } from './python';
import { Settings } from './settings';
import { selectors } from './workspace';
import { createLanguageClient, LanguageClient, LogOutputChannel } from './vscodeapi';

export async function startBridge(launcher: Launcher, settings: Settings, roots: readonly string[],
    output: LogOutputChannel, handlers: Record<string, (params: unknown) => void>): Promise<LanguageClient> {
    const { command, args } = bridgeCommand(launcher, settings);
    output.info(`starting ${[command, ...args].join(' ')} for ${roots.join(', ')} (codetape from ${launcher.from})`);
    const client = createLanguageClient(CLIENT_ID, CLIENT_NAME, { command, args, options: { cwd: roots[0] } }, {
        documentSelector: selectors(roots),
        outputChannel: output,
        synchronize: {},
    }, EXPERIMENTAL_CAPABILITIES);
    for (const [method, handler] of Object.entries(handlers)) {
        client.onNotification(method, handler);
    }
    await client.start();
    return client;
}

export async function stopBridge(client: LanguageClient | undefined, output: LogOutputChannel): Promise<void> {
    if (!client) {
        return;
    }
    try {
        await client.stop();
    } catch (error) {
        output.error(`stopping the bridge failed: ${error}`);
    }
}
