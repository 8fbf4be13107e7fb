// The review webview: the episode's report with Sign & upload / Exclude a file / Drop a range / Discard,
// each running the same codetape CLI command as the terminal review, signing only after an explicit,
// modal confirmation.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { failure, runCli } from './cli';
import { Launcher } from './python';
import { fileGlob, parseDrop, reviewPage, signArgs, TrimPlan } from './review';
import { createWebviewPanel, LogOutputChannel, showInformationMessage, showInputBox, showQuickPick,
    showWarningMessage, WebviewPanel } from './vscodeapi';

export interface ReviewContext {
    launcher: Launcher;
    output: LogOutputChannel;
    mediaDir: string;
}

const SIGN = 'Sign & upload';
const DISCARD = 'Discard';

async function reportHtml(context: ReviewContext, episode: string): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'codetape-report-'));
    try {
        const file = path.join(dir, 'report.html');
        const ran = await runCli(context.launcher, ['report', episode, '-o', file]);
        if (ran.code !== 0) {
            throw new Error(failure(ran));
        }
        return readFileSync(file, 'utf8');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

async function summary(context: ReviewContext, episode: string): Promise<{ files: string[]; durationMs: number }> {
    const ran = await runCli(context.launcher, ['review', episode, '--summary', '--json']);
    if (ran.code !== 0) {
        throw new Error(failure(ran));
    }
    const parsed = JSON.parse(ran.stdout) as { files?: Record<string, unknown>; duration_ms?: number };
    return { files: Object.keys(parsed.files ?? {}), durationMs: parsed.duration_ms ?? 0 };
}

/** Open the report of `episode`; with `actions`, the review's buttons above it. */
export async function openEpisode(context: ReviewContext, episode: string, actions: boolean): Promise<WebviewPanel> {
    const [report, facts] = await Promise.all([
        reportHtml(context, episode),
        actions ? summary(context, episode) : Promise.resolve({ files: [], durationMs: 0 }),
    ]);
    const media = (name: string) => readFileSync(path.join(context.mediaDir, name), 'utf8');
    const panel = createWebviewPanel(`codetape ${actions ? 'review' : 'report'} · ${episode.slice(0, 8)}`);
    panel.webview.html = reviewPage(report, {
        nonce: randomBytes(18).toString('base64'), style: media('review.css'), script: media('review.js'),
        episode, actions,
    });
    if (actions) {
        const plan = new TrimPlan();
        let busy = false;
        panel.webview.onDidReceiveMessage(async (message: { action?: string }) => {
            if (busy) {
                return;
            }
            busy = true;
            try {
                await act(context, panel, episode, plan, facts, String(message.action));
            } catch (error) {
                await panel.webview.postMessage({ said: `${error instanceof Error ? error.message : error}` });
            } finally {
                busy = false;
            }
        });
    }
    return panel;
}

async function act(context: ReviewContext, panel: WebviewPanel, episode: string, plan: TrimPlan,
    facts: { files: string[]; durationMs: number }, action: string): Promise<void> {
    const post = (message: object) => panel.webview.postMessage(message);
    if (action === 'exclude') {
        const file = await showQuickPick(facts.files, { placeHolder: 'Leave out which file? Every step about it goes, and its path is masked.' });
        if (file) {
            plan.exclude(fileGlob(file));
        }
    } else if (action === 'drop') {
        const text = await showInputBox({
            prompt: `Drop a time range: milliseconds from the start (the episode is ${facts.durationMs} ms long)`,
            placeHolder: '60000:90000',
            validateInput: (value) => {
                const parsed = parseDrop(value);
                return typeof parsed === 'string' ? parsed : undefined;
            },
        });
        const parsed = text === undefined ? undefined : parseDrop(text);
        if (parsed !== undefined && typeof parsed !== 'string') {
            plan.drop(parsed);
        }
    } else if (action === 'sign') {
        const changes = plan.lines();
        const answer = await showWarningMessage(`Sign episode ${episode} and share it?`, {
            modal: true,
            detail: 'Signing states your consent to share this episode as shown'
                + (changes.length ? `, with these changes: ${changes.join('; ')}` : '')
                + '. It goes to the outbox and is uploaded once a destination is configured.',
        }, SIGN);
        if (answer !== SIGN) {
            await post({ said: 'Not signed.' });
            return;
        }
        let ran = await runCli(context.launcher, signArgs(episode, plan, false));
        if (ran.code !== 0 && /protected by a passphrase/.test(ran.stderr)) {
            const passphrase = await showInputBox({ prompt: 'Passphrase of the signing key', password: true });
            if (passphrase === undefined) {
                await post({ said: 'Not signed.' });
                return;
            }
            ran = await runCli(context.launcher, signArgs(episode, plan, true), { input: `${passphrase}\n` });
        }
        await finished(context, ran, 'signed', post);
    } else if (action === 'discard') {
        const answer = await showWarningMessage(`Discard episode ${episode}?`, {
            modal: true, detail: 'It is deleted for good; nothing of it is shared.',
        }, DISCARD);
        if (answer === DISCARD) {
            const ran = await runCli(context.launcher, ['discard', episode, '--yes']); // confirmed just above
            await finished(context, ran, 'discarded', post);
        }
        return;
    }
    await post({ plan: plan.lines() });
}

async function finished(context: ReviewContext, ran: { code: number; stdout: string; stderr: string },
    what: string, post: (message: object) => Thenable<boolean>): Promise<void> {
    context.output.info(`${what}: ${ran.stdout.trim()} ${ran.stderr.trim()}`);
    if (ran.code !== 0) {
        await post({ said: failure(ran) });
        return;
    }
    const said = ran.stdout.trim().split('\n').join(' · ');
    await post({ said, finished: true });
    void showInformationMessage(`codetape: ${said}`);
}
