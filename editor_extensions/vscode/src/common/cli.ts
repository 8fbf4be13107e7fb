// The codetape CLI, run as the terminal review runs it: `codetape sign`, `discard`, `report`, `init`,
// `episodes`, `review --summary`. One process per call, its exit code and output kept.

import { spawn } from 'node:child_process';
import { Launcher } from './python';

export interface Ran {
    code: number;
    stdout: string;
    stderr: string;
}

const LIMIT = 64 * 1024 * 1024;

export function runCli(launcher: Launcher, args: string[], options: { input?: string; timeoutMs?: number } = {}
): Promise<Ran> {
    return new Promise((resolve) => {
        const child = spawn(launcher.command, [...launcher.args, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
        const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 300_000);
        timer.unref();
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let size = 0;
        const keep = (into: Buffer[]) => (chunk: Buffer) => {
            size += chunk.length;
            if (size <= LIMIT) {
                into.push(chunk);
            }
        };
        child.stdout.on('data', keep(out));
        child.stderr.on('data', keep(err));
        child.stdin.on('error', () => undefined); // a command that exits without reading its input
        child.on('error', (error) => {
            clearTimeout(timer);
            resolve({ code: -1, stdout: '', stderr: `codetape: ${error.message}` });
        });
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({
                code: code ?? -1,
                stdout: Buffer.concat(out).toString('utf8'),
                stderr: Buffer.concat(err).toString('utf8'),
            });
        });
        child.stdin.end(options.input ?? '');
    });
}

const EPISODE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` is an episode id as codetape writes it (a UUID): one argument, never an option or path. */
export function isEpisodeId(text: unknown): text is string {
    return typeof text === 'string' && EPISODE_ID.test(text);
}

/** The one line a failed command said (codetape's errors are one line on stderr). */
export function failure(ran: Ran): string {
    const lines = ran.stderr.trim().split('\n').filter((line) => line.trim());
    return lines.length > 0 ? lines[lines.length - 1] : `codetape exited with status ${ran.code}`;
}

export interface EpisodeRow {
    id: string;
    path: string;
    state: string;
    workspace?: string | null;
    end?: string | null;
}

/** `codetape episodes --json`: the newest sealed or signed episode (by its end), for the report. */
export function newestEpisode(rows: readonly EpisodeRow[]): EpisodeRow | undefined {
    const done = rows.filter((row) => row.state !== 'recording' && !row.state.startsWith('damaged'));
    return done.sort((a, b) => (a.end ?? '').localeCompare(b.end ?? '')).at(-1);
}
