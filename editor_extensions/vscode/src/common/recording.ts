// The status bar item (always there while a folder is open), its menu, and the commands it offers.
// Recording commands go to the bridge (`codetape/*` notifications, `codetape.seal`); the review, the
// report and opting in run the codetape CLI.

import { fileURLToPath } from 'node:url';
import { COMMANDS, NOTIFY } from './constants';
import { EpisodeRow, failure, isEpisodeId, newestEpisode, runCli } from './cli';
import { Found, Launcher } from './python';
import { openEpisode } from './reviewPanel';
import { BridgeStatus, isBridgeStatus, menuItems, Shown, statusView } from './status';
import { inside } from './workspace';
import {
    activeEditor, createStatusBarItem, Disposable, executeCommand, fileUri, LanguageClient, LogOutputChannel,
    registerCommand, showErrorMessage, showInformationMessage, showInputBox, showQuickPick, StatusBarItem,
    warningBackground, workspaceFolderPaths,
} from './vscodeapi';

export class Recording implements Disposable {
    readonly item: StatusBarItem = createStatusBarItem('codetape.status');
    client: LanguageClient | undefined;
    launcher: Launcher | undefined;
    /** Finds codetape when the developer asks for something and no folder needed it yet. */
    locate: (() => Promise<Found>) | undefined;
    roots: string[] = [];
    problem: string | undefined;
    private readonly statuses = new Map<string, BridgeStatus>();

    constructor(private readonly output: LogOutputChannel, private readonly mediaDir: string) {
        this.item.command = COMMANDS.menu;
    }

    /** The opted-in root the developer is in: the active file's, else the first. */
    current(): string | undefined {
        const file = activeEditor()?.document.uri;
        const here = file?.scheme === 'file' ? this.roots.find((root) => inside(root, file.fsPath)) : undefined;
        return here ?? this.roots[0];
    }

    shown(): Shown {
        const root = this.current();
        if (this.problem) {
            return { state: 'bridge_down', detail: this.problem };
        }
        if (!root) {
            return { state: 'not_opted_in', detail: 'no workspace folder is opted in (run: codetape init)' };
        }
        return this.statuses.get(root) ?? { state: 'starting' };
    }

    render(): void {
        if (workspaceFolderPaths().length === 0) {
            this.item.hide();
            return;
        }
        const view = statusView(this.shown());
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.accessibilityInformation = { label: view.text.replace(/\$\([^)]*\)\s*/g, '') };
        this.item.backgroundColor = warningBackground(view.warning);
        this.item.show();
    }

    reset(roots: string[], problem: string | undefined): void {
        this.roots = roots;
        this.problem = problem;
        this.statuses.clear();
        this.render();
    }

    onStatus(params: unknown): void {
        if (!isBridgeStatus(params) || !params.uri.startsWith('file:')) {
            return;
        }
        this.statuses.set(fileURLToPath(params.uri), params);
        this.render();
    }

    /** `codetape/review` from the bridge: only an episode id is taken from it. */
    onReview(params: unknown): void {
        const episode = (params as { episode?: unknown })?.episode;
        if (isEpisodeId(episode)) {
            void this.open(episode, true);
        }
    }

    notify(method: string, params: object): void {
        const root = this.current();
        if (!this.client || !root) {
            void showErrorMessage('codetape: not recording here (opt the workspace in first)');
            return;
        }
        void this.client.sendNotification(method, { uri: fileUri(root), ...params });
    }

    commands(restart: () => Promise<void>): Disposable[] {
        const ask = async (prompt: string, then: (text: string) => void) => {
            const text = await showInputBox({ prompt });
            if (text?.trim()) {
                then(text.trim());
            }
        };
        return [
            registerCommand(COMMANDS.menu, async () => {
                const items = menuItems(this.shown());
                const picked = await showQuickPick(items, { placeHolder: statusView(this.shown()).tooltip });
                if (picked) {
                    await executeCommand(picked.command);
                }
            }),
            registerCommand(COMMANDS.restart, restart),
            registerCommand(COMMANDS.pause, () => this.notify(NOTIFY.pause, {})),
            registerCommand(COMMANDS.resume, () => this.notify(NOTIFY.resume, {})),
            registerCommand(COMMANDS.note, () => ask('Note', (text) => this.notify(NOTIFY.note, { text }))),
            registerCommand(COMMANDS.taskStart, () => ask('What is the task?',
                (statement) => this.notify(NOTIFY.task, { action: 'start', statement }))),
            registerCommand(COMMANDS.taskDone, async () => {
                const outcome = await showQuickPick(['pass', 'fail', 'abandoned'], { placeHolder: 'How did it end? (the episode is then sealed)' });
                if (outcome) {
                    this.notify(NOTIFY.task, { action: 'done', outcome });
                }
            }),
            registerCommand(COMMANDS.seal, () => this.seal()),
            registerCommand(COMMANDS.review, () => this.review()),
            registerCommand(COMMANDS.openReport, () => this.report()),
            registerCommand(COMMANDS.optIn, () => this.optIn(restart)),
        ];
    }

    private async seal(): Promise<void> {
        const root = this.current();
        if (!this.client || !root) {
            void showErrorMessage('codetape: not recording here (opt the workspace in first)');
            return;
        }
        const sealed = await this.client.sendRequest('workspace/executeCommand',
            { command: 'codetape.seal', arguments: [fileUri(root)] }) as { episode?: string; steps?: number } | null;
        void showInformationMessage(sealed?.episode
            ? `codetape: sealed episode ${sealed.episode} (${sealed.steps} steps)` : 'codetape: nothing to seal');
    }

    private async episodes(): Promise<EpisodeRow[]> {
        const ran = await this.cli(['episodes', '--json']);
        return ran === undefined ? [] : JSON.parse(ran) as EpisodeRow[];
    }

    private async review(): Promise<void> {
        const sealed = (await this.episodes()).filter((row) => row.state === 'sealed').reverse();
        if (sealed.length === 0) {
            void showInformationMessage('codetape: no episode waits for review');
            return;
        }
        const picked = sealed.length === 1 ? sealed[0] : await showQuickPick(
            sealed.map((row) => ({ label: row.id, description: `${row.workspace ?? ''} ${row.end ?? ''}`, row })),
            { placeHolder: 'Review which episode?' }).then((item) => item?.row);
        if (picked) {
            await this.open(picked.id, true);
        }
    }

    private async report(): Promise<void> {
        const newest = newestEpisode(await this.episodes());
        if (newest) {
            await this.open(newest.id, false);
        } else {
            void showInformationMessage('codetape: no episode yet');
        }
    }

    private async optIn(restart: () => Promise<void>): Promise<void> {
        const candidates = workspaceFolderPaths().filter((folder) => !this.roots.some((root) => inside(root, folder)));
        const folder = candidates.length === 1 ? candidates[0]
            : await showQuickPick(candidates, { placeHolder: 'Opt which folder in?' });
        if (folder && (await this.cli(['init', folder])) !== undefined) {
            void showInformationMessage(`codetape: ${folder} is opted in; recording starts now`);
            await restart();
        }
    }

    /** The codetape to run for a command of the developer's: the running one, else found now. */
    private async found(): Promise<Launcher | undefined> {
        let problem = this.problem;
        if (!this.launcher && this.locate) {
            const found = await this.locate();
            this.launcher = found.launcher;
            problem ??= found.problem;
        }
        if (!this.launcher) {
            void showErrorMessage(`codetape: ${problem ?? 'codetape was not found'}`);
        }
        return this.launcher;
    }

    private async open(episode: string, actions: boolean): Promise<void> {
        const launcher = await this.found();
        if (!launcher) {
            return;
        }
        try {
            await openEpisode({ launcher, output: this.output, mediaDir: this.mediaDir }, episode, actions);
        } catch (error) {
            void showErrorMessage(`codetape: ${error instanceof Error ? error.message : error}`);
        }
    }

    /** Run the CLI; its stdout, or undefined after showing its one-line error. */
    private async cli(args: string[]): Promise<string | undefined> {
        const launcher = await this.found();
        if (!launcher) {
            return undefined;
        }
        const ran = await runCli(launcher, args);
        if (ran.code !== 0) {
            void showErrorMessage(failure(ran));
            return undefined;
        }
        return ran.stdout;
    }

    dispose(): void {
        this.item.dispose();
    }
}
