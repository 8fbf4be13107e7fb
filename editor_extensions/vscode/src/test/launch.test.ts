// The launch decision with a hostile folder: its `.vscode/settings.json` names a script as
// codetape.interpreter (the script would leave a marker file, then behave like Python), and it ships a
// `.codetape.toml` that nobody opted in. Real codetape (this virtualenv's), real CODETAPE_HOME.

import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../common/cli';
import { LaunchInputs, optedInRoots, planLaunch } from '../common/launch';
import { hasCodetape, Launcher } from '../common/python';
import { readSettings } from '../common/settings';
import { VENV_PYTHON, scratch as scratchDir } from './helpers';

const scratch = scratchDir('codetape-launch-');
process.env.CODETAPE_HOME = path.join(scratch, 'home');
const marker = path.join(scratch, 'MARKER');
const hostile = path.join(scratch, 'evil-python');
writeFileSync(hostile, `#!/bin/sh\necho "$@" >> '${marker}'\nexec '${VENV_PYTHON}' "$@"\n`);
chmodSync(hostile, 0o755);

function folder(name: string, settingsFile: boolean): string {
    const dir = path.join(scratch, name);
    mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'codetape.interpreter': [hostile] }));
    if (settingsFile) {
        writeFileSync(path.join(dir, '.codetape.toml'), '');
    }
    return dir;
}

/** The settings as an old VS Code that ignored `scope` would give them: the folder's file wins in get(). */
function settingsFor(dir: string, userInterpreter: string[] | undefined) {
    const workspace = JSON.parse(readFileSync(path.join(dir, '.vscode', 'settings.json'), 'utf8'));
    const user: Record<string, unknown> = { interpreter: userInterpreter };
    return readSettings((key) => workspace[`codetape.${key}`] ?? user[key], (key) => user[key]);
}

/** Spawns counted: every probe of an interpreter and every `codetape status`. */
function counted() {
    const calls = { probes: [] as string[][], asked: 0, active: 0 };
    return {
        calls,
        probe: (python: string[]) => { calls.probes.push(python); return hasCodetape(python); },
        ask: (launcher: Launcher) => { calls.asked += 1; return optedInRoots(launcher); },
    };
}

function inputs(folders: string[], interpreter: string[], trusted: boolean, pathVariable: string,
    calls: { active: number }): LaunchInputs {
    return { folders, interpreter, trusted, pathVariable, installDirs: [],
        activeInterpreter: async () => { calls.active += 1; return hostile; } };
}

test('a folder with no .codetape.toml runs nothing at all', async () => {
    const plain = folder('plain', false);
    const { calls, probe, ask } = counted();
    const plan = await planLaunch(inputs([plain], settingsFor(plain, [VENV_PYTHON]).interpreter, true, '', calls),
        probe, ask);
    assert.deepEqual(plan, { roots: [] });
    assert.deepEqual(calls, { probes: [], asked: 0, active: 0 });
    assert.equal(existsSync(marker), false);
});

test("a folder's interpreter setting is never run; codetape itself says whether the folder is opted in",
    async () => {
        const ws = folder('cloned', true);
        const settings = settingsFor(ws, [VENV_PYTHON]);
        assert.deepEqual(settings.interpreter, [VENV_PYTHON]);
        const first = counted();
        const cloned = await planLaunch(inputs([ws], settings.interpreter, true, '', first.calls), first.probe,
            first.ask);
        assert.deepEqual(cloned.roots, []); // a .codetape.toml nobody opted in starts no bridge
        assert.equal(cloned.launcher?.command, VENV_PYTHON);
        assert.deepEqual(first.calls, { probes: [[VENV_PYTHON]], asked: 1, active: 0 });
        const init = await runCli(cloned.launcher as Launcher, ['init', ws]);
        assert.equal(init.code, 0, init.stderr);
        const second = counted();
        const opted = await planLaunch(inputs([ws], settings.interpreter, true, '', second.calls), second.probe,
            second.ask);
        assert.deepEqual(opted.roots, [ws]);
        // terminals get the pytest plugin's folder and the collector's socket of this CODETAPE_HOME
        // the plugin's folder first, then whatever PYTHONPATH this process was given
        assert.equal((opted.pytestEnv?.PYTHONPATH ?? '').split(path.delimiter)[0].endsWith(
            path.join('collector', 'sources', 'pytest_path')), true, opted.pytestEnv?.PYTHONPATH);
        assert.equal(opted.pytestEnv?.CODETAPE_COLLECTOR_SOCKET,
            path.join(process.env.CODETAPE_HOME as string, 'run', 'collector.sock'));
        assert.equal(cloned.pytestEnv, undefined, 'no terminal variables for a folder nobody opted in');
        assert.equal(existsSync(marker), false, existsSync(marker) ? readFileSync(marker, 'utf8') : '');
    });

test("without the user's setting: codetape on PATH; the Python extension's interpreter only when trusted",
    async () => {
        const ws = folder('unset', true);
        const settings = settingsFor(ws, undefined);
        assert.deepEqual(settings.interpreter, []);
        const untrusted = counted();
        const refused = await planLaunch(inputs([ws], settings.interpreter, false, '/nonexistent', untrusted.calls),
            untrusted.probe, untrusted.ask);
        assert.match(refused.problem ?? '', /codetape is not on PATH/);
        assert.deepEqual(untrusted.calls, { probes: [], asked: 0, active: 0 });
        const bin = path.dirname(VENV_PYTHON); // this virtualenv's `codetape` script
        const fromPath = counted();
        const onPath = await planLaunch(inputs([ws], settings.interpreter, true, bin, fromPath.calls),
            fromPath.probe, fromPath.ask);
        assert.deepEqual(onPath.launcher, { command: path.join(bin, 'codetape'), args: [], from: 'PATH' });
        assert.deepEqual(onPath.roots, []);
        assert.deepEqual(fromPath.calls, { probes: [], asked: 1, active: 0 });
        assert.equal(existsSync(marker), false);
    });
