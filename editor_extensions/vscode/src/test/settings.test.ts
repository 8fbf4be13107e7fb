import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULTS, needsRestart, readSettings, SETTING_KEYS } from '../common/settings';
import { EXTENSION_ROOT } from './helpers';

const declared = JSON.parse(readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'))
    .contributes.configuration.properties as Record<string, { default: unknown }>;

test('the settings read are the settings package.json declares (generated from schemas/editor.py), same defaults', () => {
    assert.deepEqual(Object.keys(declared).sort(), SETTING_KEYS.map((key) => `codetape.${key}`).sort());
    for (const key of SETTING_KEYS) {
        assert.deepEqual(declared[`codetape.${key}`].default, DEFAULTS[key], key);
    }
});

test('values of the wrong type fall back to the defaults', () => {
    const given: Record<string, unknown> = { interpreter: ['/opt/py/bin/python', ''], autostartCollector: 'yes',
        cursorDebounceMs: -3, bridgeLog: '/tmp/bridge.log' };
    assert.deepEqual(readSettings((key) => given[key]), { ...DEFAULTS, bridgeLog: '/tmp/bridge.log' });
    const good: Record<string, unknown> = { interpreter: ['/opt/py/bin/python', '-X', 'utf8'], autostartCollector: false,
        cursorDebounceMs: 0, bridgeLog: '' };
    assert.deepEqual(readSettings((key) => good[key]), good);
});

test('only settings of the bridge restart it', () => {
    assert.equal(needsRestart((section) => section === 'codetape.cursorDebounceMs'), false);
    assert.equal(needsRestart((section) => section === 'codetape.interpreter'), true);
    assert.equal(needsRestart(() => false), false);
});
