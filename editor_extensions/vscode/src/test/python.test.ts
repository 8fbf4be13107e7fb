import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { bridgeCommand, findLauncher, hasCodetape, installDirs, onPath } from '../common/python';
import { DEFAULTS } from '../common/settings';
import { VENV_PYTHON, scratch } from './helpers';

const none = async () => undefined;

test('a Python with codetape is found by running it; one without is not', async () => {
    assert.equal(await hasCodetape([VENV_PYTHON]), true);
    assert.equal(await hasCodetape([VENV_PYTHON, '-I', '-S']), false); // isolated: site-packages unseen
    assert.equal(await hasCodetape(['/nonexistent/python']), false);
});

test('the setting comes first and must have codetape', async () => {
    const found = await findLauncher([VENV_PYTHON], async () => '/usr/bin/false', '', []);
    assert.deepEqual(found.launcher, { command: VENV_PYTHON, args: ['-P', '-m', 'collector'], from: 'setting' });
    const wrong = await findLauncher(['/nonexistent/python'], async () => VENV_PYTHON, '', []);
    assert.equal(wrong.launcher, undefined);
    assert.match(wrong.problem ?? '', /codetape is not installed for \/nonexistent\/python/);
});

test("then codetape on PATH (absolute entries only), then the Python extension's interpreter", async () => {
    const bin = scratch('codetape-path-');
    const script = path.join(bin, 'codetape');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o755);
    assert.equal(onPath('codetape', `/nonexistent${path.delimiter}${bin}`), script);
    const cwd = process.cwd();
    try {
        process.chdir(bin); // a relative PATH entry would name the folder the editor runs in
        assert.equal(onPath('codetape', `.${path.delimiter}bin`), undefined);
    } finally {
        process.chdir(cwd);
    }
    let asked = false;
    const fromPath = await findLauncher([], async () => { asked = true; return VENV_PYTHON; },
        `/nonexistent${path.delimiter}${bin}`, []);
    assert.deepEqual(fromPath.launcher, { command: script, args: [], from: 'PATH' });
    assert.equal(asked, false);
    const fromExtension = await findLauncher([], async () => VENV_PYTHON, '/nonexistent', []);
    assert.equal(fromExtension.launcher?.from, 'python extension');
    const nothing = await findLauncher([], none, '/nonexistent', []);
    assert.match(nothing.problem ?? '', /codetape is not on PATH/);
});

test("where installers put commands: uv's order, then pipx's, then ~/.local/bin; absolute ones, once", () => {
    assert.deepEqual(installDirs({}, '/home/dev'), ['/home/dev/.local/bin']);
    assert.deepEqual(installDirs({}, ''), []);
    assert.deepEqual(installDirs({
        UV_TOOL_BIN_DIR: '/opt/uv-tools/bin', XDG_BIN_HOME: '/home/dev/bin/', XDG_DATA_HOME: '/data/share',
        PIPX_BIN_DIR: '/opt/pipx/bin',
    }, '/home/dev'), ['/opt/uv-tools/bin', '/home/dev/bin', '/data/bin', '/opt/pipx/bin', '/home/dev/.local/bin']);
    // XDG_DATA_HOME at its default names ~/.local/bin again; relative values (the XDG spec ignores them) are skipped
    assert.deepEqual(installDirs({ XDG_DATA_HOME: '/home/dev/.local/share', XDG_BIN_HOME: 'bin', PIPX_BIN_DIR: '' },
        '/home/dev'), ['/home/dev/.local/bin']);
});

test('after PATH, codetape where its installer put it; when nowhere, the message names every place looked',
    async () => {
        const home = scratch('codetape-home-');
        const dirs = installDirs({ PIPX_BIN_DIR: path.join(home, 'pipx-bin') }, home);
        const missing = await findLauncher([], none, '/nonexistent', dirs);
        assert.equal(missing.problem, `codetape is not on PATH nor in ${path.join(home, 'pipx-bin')}, `
            + `${path.join(home, '.local', 'bin')}: install it, or set codetape.interpreter in your user settings`);
        const local = path.join(home, '.local', 'bin');
        mkdirSync(local, { recursive: true });
        const script = path.join(local, 'codetape');
        writeFileSync(script, '#!/bin/sh\nexit 0\n');
        chmodSync(script, 0o644); // not executable: not a command
        assert.equal((await findLauncher([], none, '/nonexistent', dirs)).launcher, undefined);
        chmodSync(script, 0o755);
        let asked = false;
        const found = await findLauncher([], async () => { asked = true; return VENV_PYTHON; }, '/nonexistent', dirs);
        assert.deepEqual(found.launcher, { command: script, args: [], from: 'install directory' });
        assert.equal(asked, false); // before the Python extension's interpreter
        const onPathFirst = path.dirname(VENV_PYTHON); // this virtualenv's `codetape` script
        assert.deepEqual((await findLauncher([], none, onPathFirst, dirs)).launcher,
            { command: path.join(onPathFirst, 'codetape'), args: [], from: 'PATH' });
        assert.equal((await findLauncher([VENV_PYTHON], none, '/nonexistent', dirs)).launcher?.from, 'setting');
    });

test('the bridge command line follows the settings', () => {
    const launcher = { command: VENV_PYTHON, args: ['-P', '-m', 'collector'], from: 'setting' as const };
    assert.deepEqual(bridgeCommand(launcher, DEFAULTS), { command: VENV_PYTHON, args: ['-P', '-m', 'collector', 'bridge'] });
    assert.deepEqual(bridgeCommand(launcher, { ...DEFAULTS, autostartCollector: false, bridgeLog: '/tmp/b.log' }).args,
        ['-P', '-m', 'collector', 'bridge', '--no-autostart', '--log', '/tmp/b.log']);
});

test('a folder with its own collector/ and schemas/ packages runs none of their code', async () => {
    const folder = scratch('codetape-repository-');
    const marker = path.join(folder, 'ran');
    for (const name of ['collector', 'schemas', 'lsp_bridge']) {
        mkdirSync(path.join(folder, name));
        writeFileSync(path.join(folder, name, '__init__.py'),
            `open(${JSON.stringify(marker)}, 'a').write('${name}')\nraise SystemExit(7)\n`);
    }
    const cwd = process.cwd();
    try {
        process.chdir(folder); // the editor started in the repository
        assert.equal(await hasCodetape([VENV_PYTHON]), true);
        const found = await findLauncher([VENV_PYTHON], none, '', []);
        assert.ok(found.launcher, found.problem);
        const { command, args } = bridgeCommand(found.launcher, DEFAULTS);
        assert.match(execFileSync(command, [...args, '--help'], { encoding: 'utf8' }), /usage: codetape bridge/);
    } finally {
        process.chdir(cwd);
    }
    assert.equal(existsSync(marker), false);
});
