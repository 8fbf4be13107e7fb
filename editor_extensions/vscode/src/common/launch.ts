// What to start for the open folders, decided before anything runs. Nothing is spawned unless a folder
// has a `.codetape.toml` (in it or above it); then codetape is found (python.ts) and asked which
// workspaces are opted in (`codetape status --json`); the bridge starts only for those, and only then do
// terminals get the variables through which pytest records its tests (terminalEnv.ts). The program
// comes from the user's settings, PATH or an installer's directory; the Python extension's interpreter, which a folder can
// choose, is a candidate only in a trusted workspace.

import { failure, runCli } from './cli';
import { findLauncher, Found, hasCodetape, Launcher } from './python';
import { confirmedRoot, optedInRoot } from './workspace';

export interface LaunchInputs {
    folders: readonly string[];
    interpreter: string[]; // the user's codetape.interpreter setting
    trusted: boolean;
    activeInterpreter: () => Promise<string | undefined>;
    pathVariable: string | undefined;
    installDirs: string[]; // where installers put `codetape` (python.ts installDirs), looked in after PATH
}

export interface Launch {
    launcher?: Launcher;
    roots: string[];
    problem?: string;
    pytestEnv?: Record<string, string>; // for terminals, when a root is recorded
}

export interface OptedIn {
    roots: Set<string>;
    pytestEnv: Record<string, string>;
}

const STATUS_TIMEOUT_MS = 60_000;

/** The workspaces this codetape says are opted in (real paths) and the variables pytest records its
 * tests through (none from a codetape too old to say), or why it could not say. */
export async function optedInRoots(launcher: Launcher): Promise<OptedIn | string> {
    const ran = await runCli(launcher, ['status', '--json'], { timeoutMs: STATUS_TIMEOUT_MS });
    if (ran.code !== 0) {
        return failure(ran);
    }
    try {
        const status = JSON.parse(ran.stdout) as { opted_in?: unknown; pytest_env?: unknown };
        const listed = status.opted_in;
        if (Array.isArray(listed) && listed.every((root) => typeof root === 'string')) {
            return { roots: new Set(listed as string[]), pytestEnv: stringsOnly(status.pytest_env) };
        }
    } catch {
        // not JSON: said below
    }
    return 'this codetape does not say which workspaces are opted in (`codetape status --json` has no '
        + '`opted_in`): update codetape';
}

function stringsOnly(value: unknown): Record<string, string> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return {};
    }
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] =>
        typeof entry[1] === 'string'));
}

/** The codetape to run (also for the commands the developer gives, such as opting a folder in). */
export function locate(inputs: LaunchInputs, probe = hasCodetape): Promise<Found> {
    const none = async () => undefined;
    return findLauncher(inputs.interpreter, inputs.trusted ? inputs.activeInterpreter : none,
        inputs.pathVariable, inputs.installDirs, probe);
}

/** The launcher and the opted-in roots to start the bridge for (none: start nothing). */
export async function planLaunch(inputs: LaunchInputs, probe = hasCodetape,
    askOptedIn: (launcher: Launcher) => Promise<OptedIn | string> = optedInRoots): Promise<Launch> {
    if (!inputs.folders.some((folder) => optedInRoot(folder))) {
        return { roots: [] };
    }
    const found = await locate(inputs, probe);
    if (!found.launcher) {
        return { roots: [], problem: found.problem };
    }
    const optedIn = await askOptedIn(found.launcher);
    if (typeof optedIn === 'string') {
        return { launcher: found.launcher, roots: [], problem: optedIn };
    }
    const roots = inputs.folders.map((folder) => confirmedRoot(folder, optedIn.roots))
        .filter((r): r is string => !!r);
    if (roots.length === 0) {
        return { launcher: found.launcher, roots: [] };
    }
    return { launcher: found.launcher, roots: [...new Set(roots)], pytestEnv: optedIn.pytestEnv };
}
