import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULTS, Inspected, needsRestart, readSettings, SETTING_KEYS, USER_ONLY, userValue } from '../common/settings';
import { EXTENSION_ROOT } from './helpers';

const manifest = JSON.parse(readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'));
const declared = manifest.contributes.configuration.properties as Record<string, { default: unknown; scope: string }>;

test('the settings read are the settings package.json declares (generated from schemas/editor.py), same defaults', () => {
    assert.deepEqual(Object.keys(declared).sort(), SETTING_KEYS.map((key) => `codetape.${key}`).sort());
    for (const key of SETTING_KEYS) {
        assert.deepEqual(declared[`codetape.${key}`].default, DEFAULTS[key], key);
    }
});

test('values of the wrong type fall back to the defaults', () => {
    const given: Record<string, unknown> = { interpreter: ['/opt/py/bin/python', ''], autostartCollector: 'yes',
        cursorDebounceMs: -3, bridgeLog: '/tmp/bridge.log' };
    const get = (key: string) => given[key];
    assert.deepEqual(readSettings(get, get), { ...DEFAULTS, bridgeLog: '/tmp/bridge.log' });
    const good: Record<string, unknown> = { interpreter: ['/opt/py/bin/python', '-X', 'utf8'], autostartCollector: false,
        cursorDebounceMs: 0, bridgeLog: '' };
    assert.deepEqual(readSettings((key) => good[key], (key) => good[key]), good);
});

test('a program or a file to write comes from the user\'s settings only, never from a workspace', () => {
    const machine = Object.keys(declared).filter((key) => declared[key].scope === 'machine');
    assert.deepEqual(machine.sort(), USER_ONLY.map((key) => `codetape.${key}`).sort());
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), machine.sort());
    // A folder's .vscode/settings.json names a script; a VS Code that ignored `scope` would return it from get().
    const hostile = '/repo/.vscode/evil.sh';
    const inspected: Record<string, Inspected> = {
        interpreter: { workspaceValue: [hostile], workspaceFolderValue: [hostile] },
        bridgeLog: { globalValue: '/home/me/bridge.log', workspaceValue: '/repo/.bashrc' },
        cursorDebounceMs: { globalValue: 100, workspaceValue: 50 },
    };
    const get = (key: string) => inspected[key]?.workspaceValue;
    const read = readSettings(get, (key) => userValue(inspected[key]));
    assert.deepEqual(read.interpreter, []);
    assert.equal(read.bridgeLog, '/home/me/bridge.log');
    assert.equal(read.cursorDebounceMs, 50); // harmless settings may still differ per workspace
});

test('only settings of the bridge restart it', () => {
    assert.equal(needsRestart((section) => section === 'codetape.cursorDebounceMs'), false);
    assert.equal(needsRestart((section) => section === 'codetape.interpreter'), true);
    assert.equal(needsRestart(() => false), false);
});
