// Where the real things the tests use live: the repository's virtualenv (a Python with codetape) and
// its fixture episodes. Nothing here is faked.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..');
export const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..', '..');
export const VENV_PYTHON = process.env.CODETAPE_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
export const FIXTURE_EPISODE = path.join(REPO_ROOT, 'tests', 'fixtures', 'episodes', 'unicode.ctape');

if (!existsSync(VENV_PYTHON)) {
    throw new Error(`no Python with codetape at ${VENV_PYTHON}: run scripts/setup (or set CODETAPE_PYTHON)`);
}

/** A new folder in the system's temporary folder, removed with everything in it when the tests end. */
export function scratch(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
}
