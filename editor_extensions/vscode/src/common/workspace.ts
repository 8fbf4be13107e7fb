// Which workspace folders are opted in. A `.codetape.toml` in the folder or above it makes a candidate
// (found without running anything); only codetape itself says whether `codetape init` opted it in
// (`codetape status --json`, its `opted_in` list, see launch.ts).

import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CELL_SCHEME, SETTINGS_FILE } from './constants';

/** The opted-in workspace root holding `dir` (or being it), if any. */
export function optedInRoot(dir: string): string | undefined {
    let current = path.resolve(dir);
    for (;;) {
        try {
            if (statSync(path.join(current, SETTINGS_FILE)).isFile()) {
                return current;
            }
        } catch {
            // not here
        }
        const parent = path.dirname(current);
        if (parent === current) {
            return undefined;
        }
        current = parent;
    }
}

/** The workspace that holds `dir` among those codetape says are opted in (real paths): the nearest
 * ancestor of `dir` (or `dir`) whose real path is one of them, as a path under `dir`'s own spelling. */
export function confirmedRoot(dir: string, optedIn: ReadonlySet<string>): string | undefined {
    let current = path.resolve(dir);
    for (;;) {
        try {
            if (optedIn.has(realpathSync(current))) {
                return current;
            }
        } catch {
            // gone or unreadable: not a workspace
        }
        const parent = path.dirname(current);
        if (parent === current) {
            return undefined;
        }
        current = parent;
    }
}

/** Whether a document is recorded: a file inside one of the opted-in roots. */
export function recordedUri(roots: readonly string[], uri: { scheme: string; fsPath: string }): boolean {
    return uri.scheme === 'file' && roots.some((root) => inside(root, uri.fsPath));
}

/** Whether a document's edits are recorded: a recorded file, or a cell of a notebook file inside an opted-in
 * root (its URI's path is the notebook's; the bridge records the notebook's cells as one document). */
export function recordedEdits(roots: readonly string[], uri: { scheme: string; fsPath: string }): boolean {
    return recordedUri(roots, uri) || (uri.scheme === CELL_SCHEME && roots.some((root) => inside(root, uri.fsPath)));
}

/** Whether `file` lies inside `root` (both absolute). */
export function inside(root: string, file: string): boolean {
    const relative = path.relative(root, file);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Document selectors: every file under an opted-in root (a glob per root, special characters escaped). */
export function selectors(roots: readonly string[]): { scheme: string; pattern: string }[] {
    return roots.map((root) => ({ scheme: 'file', pattern: `${root.replace(/[{}[\]*?]/g, '[$&]')}/**` }));
}
