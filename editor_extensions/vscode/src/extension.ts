// codetape for VS Code: a launcher. It finds the Python environment that has codetape, starts
// `codetape bridge` for the workspace folders codetape says are opted in (launch.ts: nothing runs for a
// folder without a `.codetape.toml`), shows whether you are being recorded, forwards what only the editor
// sees, and opens the review when an episode is sealed. The bridge, the collector and the CLI hold every
// decision.

import { homedir } from 'node:os';
import * as path from 'node:path';
import { FROM_BRIDGE, RESTART_DELAY_MS } from './common/constants';
import { Send, startForwarding } from './common/forwarding';
import { LaunchInputs, locate, planLaunch } from './common/launch';
import { installDirs } from './common/python';
import { Origins } from './common/originEvents';
import { Recording } from './common/recording';
import { startBridge, stopBridge } from './common/server';
import { applyTerminalEnv } from './common/terminalEnv';
import { needsRestart, readSettings, userValue } from './common/settings';
import {
    createOutputChannel, ExtensionContext, getSetting, inspectSetting, isTrusted, LanguageClient, LogOutputChannel,
    onDidChangeActiveTextEditor, onDidChangeConfiguration, onDidChangeWorkspaceFolders, onDidGrantWorkspaceTrust,
    pythonExtensionInterpreter, workspaceFolderPaths,
} from './common/vscodeapi';

let recording: Recording | undefined;
let channel: LogOutputChannel | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
    const output = createOutputChannel('codetape');
    channel = output;
    const state = new Recording(output, path.join(context.extensionPath, 'media'));
    recording = state;
    const settings = () => readSettings(getSetting, (key) => userValue(inspectSetting(key)));
    const inputs = (): LaunchInputs => {
        const folders = workspaceFolderPaths();
        return {
            folders, interpreter: settings().interpreter, trusted: isTrusted(), pathVariable: process.env.PATH,
            installDirs: installDirs(process.env, homedir()),
            activeInterpreter: () => pythonExtensionInterpreter(folders[0]),
        };
    };
    state.locate = () => locate(inputs());
    let restarting: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const send: Send = (method, params) => {
        const client: LanguageClient | undefined = state.client;
        if (client?.isRunning()) {
            void client.sendNotification(method, params);
        }
    };
    const origins = new Origins(send, () => state.roots);

    const run = async () => {
        origins.recording(false);
        await stopBridge(state.client, output);
        state.client = undefined;
        const found = await planLaunch(inputs());
        const roots = found.roots;
        state.launcher = found.launcher;
        state.reset(roots, found.problem);
        applyTerminalEnv(context.environmentVariableCollection, found.pytestEnv);
        if (found.problem) {
            output.error(found.problem);
        }
        if (!found.launcher || roots.length === 0) {
            return;
        }
        try {
            state.client = await startBridge(found.launcher, settings(), roots, output, {
                [FROM_BRIDGE.status]: (params) => state.onStatus(params),
                [FROM_BRIDGE.review]: (params) => state.onReview(params),
            });
            origins.recording(true);
        } catch (error) {
            output.error(`the bridge did not start: ${error}`);
            state.reset(roots, `the bridge did not start (${error})`);
        }
    };
    // Restarts are serialised, and a burst of changes (settings, folders) restarts once.
    const restart = () => new Promise<void>((resolve) => {
        if (timer) {
            clearTimeout(timer);
        }
        timer = setTimeout(() => {
            restarting = restarting.then(run, run).finally(resolve);
        }, RESTART_DELAY_MS);
    });
    context.subscriptions.push(
        output,
        state,
        origins,
        ...state.commands(restart),
        ...startForwarding(send, () => state.roots, () => settings().cursorDebounceMs, (line) => output.info(line)),
        onDidChangeActiveTextEditor(() => state.render()),
        onDidChangeConfiguration((event) => {
            if (needsRestart((section) => event.affectsConfiguration(section))) {
                void restart();
            }
        }),
        onDidChangeWorkspaceFolders(() => void restart()),
        onDidGrantWorkspaceTrust(() => void restart()),
    );
    restarting = run();
    await restarting;
}

export async function deactivate(): Promise<void> {
    if (recording && channel) {
        await stopBridge(recording.client, channel);
    }
}
