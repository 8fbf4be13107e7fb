import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { failure, isEpisodeId, newestEpisode, runCli } from '../common/cli';
import { FIXTURE_EPISODE, VENV_PYTHON, scratch } from './helpers';

const launcher = { command: VENV_PYTHON, args: ['-m', 'collector'], from: 'setting' as const };

test('the CLI runs with its output, and a failure is its one line', async () => {
    const ok = await runCli(launcher, ['verify', FIXTURE_EPISODE]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ok/);
    const bad = await runCli(launcher, ['verify', path.join(scratch('ct-'), 'none.ctape')]);
    assert.notEqual(bad.code, 0);
    assert.match(failure(bad), /^codetape: /);
    const missing = await runCli({ command: '/nonexistent/codetape', args: [], from: 'PATH' }, ['status']);
    assert.equal(missing.code, -1);
    assert.match(failure(missing), /ENOENT/);
});

test('the newest finished episode is the one the report opens', () => {
    const rows = [
        { id: 'a', path: '/a', state: 'sealed', end: '2026-01-01T10:00:00Z' },
        { id: 'b', path: '/b', state: 'recording', end: '2026-01-03T10:00:00Z' },
        { id: 'c', path: '/c', state: 'signed', end: '2026-01-02T10:00:00Z' },
        { id: 'd', path: '/d', state: 'damaged: bad magic', end: null },
    ];
    assert.equal(newestEpisode(rows)?.id, 'c');
    assert.equal(newestEpisode([]), undefined);
});

test('only an episode id as codetape writes it is taken from the bridge', () => {
    assert.equal(isEpisodeId('0f8fad5b-d9cb-469f-a165-70867728950e'), true);
    for (const text of ['--output=/tmp/x', '../0f8fad5b-d9cb-469f-a165-70867728950e', '0f8fad5b', '',
        '0f8fad5b-d9cb-469f-a165-70867728950e\n--yes', 42, undefined]) {
        assert.equal(isEpisodeId(text), false, String(text));
    }
});
