// Which codetape to run: the `codetape.interpreter` setting (the user's own), else `codetape` on PATH,
// else `codetape` where installers put it (an editor started from a desktop never read ~/.bashrc, so its
// PATH may lack that directory), else the Python extension's active interpreter when it has codetape installed (the caller passes that
// candidate only for a trusted workspace: a folder can choose it). No VS Code API here: the candidates
// are passed in, and an interpreter is checked by running it.

import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import { Settings } from './settings';

/** How to run the codetape CLI: `command ...args SUBCOMMAND ...`. */
export interface Launcher {
    command: string;
    args: string[];
    from: 'setting' | 'python extension' | 'PATH' | 'install directory';
}

export interface Found {
    launcher?: Launcher;
    problem?: string;
}

const PROBE = 'import collector, lsp_bridge';
const PROBE_TIMEOUT_MS = 30_000;

/** Whether `python` (an interpreter and leading arguments) can import codetape. */
export function hasCodetape(python: string[]): Promise<boolean> {
    return new Promise((resolve) => {
        execFile(python[0], [...python.slice(1), '-P', '-c', PROBE], { timeout: PROBE_TIMEOUT_MS }, (error) =>
            resolve(error === null));
    });
}

/** The executable `name` on a PATH string, if any (relative entries, which would name the folder the
 * editor runs in, are skipped). */
export function onPath(name: string, pathVariable: string | undefined): string | undefined {
    return inDirs(name, (pathVariable ?? '').split(path.delimiter));
}

function inDirs(name: string, dirs: readonly string[]): string | undefined {
    for (const dir of dirs) {
        if (!path.isAbsolute(dir)) {
            continue;
        }
        const candidate = path.join(dir, name);
        try {
            accessSync(candidate, constants.X_OK);
            if (statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // not here
        }
    }
    return undefined;
}

/** The directories installers put commands in, absolute ones each once: uv's tool bin directory in uv's
 * order (`$UV_TOOL_BIN_DIR`, `$XDG_BIN_HOME`, `$XDG_DATA_HOME/../bin`), pipx's `$PIPX_BIN_DIR`, and
 * `~/.local/bin` (the default of pip --user, pipx and uv). */
export function installDirs(env: Readonly<Record<string, string | undefined>>, home: string): string[] {
    const dataHome = env.XDG_DATA_HOME;
    const dirs = [env.UV_TOOL_BIN_DIR, env.XDG_BIN_HOME, dataHome && path.join(dataHome, '..', 'bin'),
        env.PIPX_BIN_DIR, home && path.join(home, '.local', 'bin')];
    const absolute = dirs.filter((dir): dir is string => !!dir && path.isAbsolute(dir));
    return [...new Set(absolute.map((dir) => path.normalize(dir).replace(/(.)\/+$/, '$1')))];
}

function viaPython(python: string[], from: Launcher['from']): Launcher {
    return { command: python[0], args: [...python.slice(1), '-P', '-m', 'collector'], from };
}

/** The first candidate that has codetape, or why none does. */
export async function findLauncher(
    setting: string[],
    activeInterpreter: () => Promise<string | undefined>,
    pathVariable: string | undefined,
    installed: readonly string[],
    probe: (python: string[]) => Promise<boolean> = hasCodetape,
): Promise<Found> {
    if (setting.length > 0) {
        if (await probe(setting)) {
            return { launcher: viaPython(setting, 'setting') };
        }
        return { problem: `codetape is not installed for ${setting.join(' ')} (the codetape.interpreter setting)` };
    }
    const onPathCommand = onPath('codetape', pathVariable);
    if (onPathCommand) {
        return { launcher: { command: onPathCommand, args: [], from: 'PATH' } };
    }
    const installedCommand = inDirs('codetape', installed);
    if (installedCommand) {
        return { launcher: { command: installedCommand, args: [], from: 'install directory' } };
    }
    const active = await activeInterpreter();
    if (active && (await probe([active]))) {
        return { launcher: viaPython([active], 'python extension') };
    }
    const tried = active ? ` and the Python extension's interpreter ${active} has no codetape` : '';
    const looked = installed.length > 0 ? ` nor in ${installed.join(', ')}` : '';
    return { problem: `codetape is not on PATH${looked}${tried}: install it, or set codetape.interpreter in your `
        + 'user settings' };
}

/** The bridge's command line (observe mode) for these settings. */
export function bridgeCommand(launcher: Launcher, settings: Settings): { command: string; args: string[] } {
    const args = [...launcher.args, 'bridge'];
    if (!settings.autostartCollector) {
        args.push('--no-autostart');
    }
    if (settings.bridgeLog) {
        args.push('--log', settings.bridgeLog);
    }
    return { command: launcher.command, args };
}
