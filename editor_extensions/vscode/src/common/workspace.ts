// Which workspace folders are opted in: a `.codetape.toml` in the folder or above it (the bridge and the
// collector then check that `codetape init` registered it, and say so through `codetape/status`).

import { statSync } from 'node:fs';
import * as path from 'node:path';
import { SETTINGS_FILE } from './constants';

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

/** Whether `file` lies inside `root` (both absolute). */
export function inside(root: string, file: string): boolean {
    const relative = path.relative(root, file);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Document selectors: every file under an opted-in root (a glob per root, special characters escaped). */
export function selectors(roots: readonly string[]): { scheme: string; pattern: string }[] {
    return roots.map((root) => ({ scheme: 'file', pattern: `${root.replace(/[{}[\]*?]/g, '[$&]')}/**` }));
}
