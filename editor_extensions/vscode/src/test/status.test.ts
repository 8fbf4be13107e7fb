import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { COMMANDS } from '../common/constants';
import { isBridgeStatus, menuItems, statusView } from '../common/status';

const recording = { uri: 'file:///w/app', state: 'recording' as const, steps: 12, episode: 'e1', detail: '' };

test('recording shows the collector\'s step count, singular and plural', () => {
    assert.equal(statusView(recording).text, '$(record) codetape: recording 12 steps');
    assert.equal(statusView({ ...recording, steps: 1 }).text, '$(record) codetape: recording 1 step');
    assert.equal(statusView(recording).warning, false);
});

test('every state says what it is; an upload failure is shown beside it, as a warning', () => {
    assert.equal(statusView({ ...recording, state: 'paused' }).text, '$(debug-pause) codetape: paused');
    assert.equal(statusView({ state: 'not_opted_in', detail: 'x' }).text, '$(circle-slash) codetape: not opted in');
    const down = statusView({ ...recording, state: 'collector_down', detail: 'no socket' });
    assert.equal(down.text, '$(warning) codetape: collector down');
    assert.match(down.tooltip, /no socket/);
    assert.equal(down.warning, true);
    const failed = statusView({ ...recording, uploadError: 's3://b: access denied' });
    assert.equal(failed.text, '$(record) codetape: recording 12 steps · upload failed');
    assert.match(failed.tooltip, /s3:\/\/b: access denied/);
    assert.equal(failed.warning, true);
    assert.equal(statusView({ state: 'bridge_down', detail: 'codetape is not on PATH' }).text,
        '$(warning) codetape: not recording');
    assert.doesNotMatch(statusView({ state: 'starting' }).text, /recording/);
    const invalid = statusView({ ...recording, state: 'not_recording', detail: '/w/app/.codetape.toml:3: chanels: x' });
    assert.equal(invalid.text, '$(warning) codetape: not recording');
    assert.match(invalid.tooltip, /\.codetape\.toml:3: chanels/);
    const stopped = statusView({ ...recording, state: 'stopped', detail: 'recording is stopped' });
    assert.equal(stopped.text, '$(debug-stop) codetape: stopped by you');
    assert.match(stopped.tooltip, /codetape resume/);
    assert.equal(stopped.warning, false);
    const changed = statusView({ ...recording, detail: 'settings changed since you accepted them' });
    assert.equal(changed.text, '$(record) codetape: recording 12 steps · settings changed');
    assert.equal(changed.warning, true);
});

test('the managed policy\'s scope governing the workspace is named while recording or paused', () => {
    const governed = statusView({ ...recording, scope: "'client A'" });
    assert.equal(governed.text, "$(record) codetape: recording 12 steps · governed by 'client A'");
    assert.match(governed.tooltip, /Governed by the managed policy's scope 'client A'/);
    assert.equal(governed.warning, false);
    assert.equal(statusView({ ...recording, state: 'paused', scope: "'client A'", held: 1 }).text,
        "$(debug-pause) codetape: paused · governed by 'client A' · 1 held");
    assert.equal(statusView({ ...recording, scope: null }).text, '$(record) codetape: recording 12 steps');
});

test('episodes the outbox holds before they leave are counted beside any state, as a warning', () => {
    const held = statusView({ ...recording, held: 2 });
    assert.equal(held.text, '$(record) codetape: recording 12 steps · 2 held');
    assert.match(held.tooltip, /2 signed episodes held before leaving: run `codetape review`/);
    assert.equal(held.warning, true);
    assert.equal(statusView({ ...recording, state: 'paused', held: 1 }).text, '$(debug-pause) codetape: paused · 1 held');
    assert.match(statusView({ ...recording, held: 1 }).tooltip, /1 signed episode held/);
    assert.equal(statusView({ ...recording, held: 0 }).text, '$(record) codetape: recording 12 steps');
});

test('the menu offers what the state allows', () => {
    const commands = (items: { command: string }[]) => items.map((item) => item.command);
    assert.deepEqual(commands(menuItems(recording)), [COMMANDS.pause, COMMANDS.taskStart, COMMANDS.taskDone,
        COMMANDS.note, COMMANDS.seal, COMMANDS.review, COMMANDS.openReport]);
    assert.equal(commands(menuItems({ ...recording, state: 'paused' }))[0], COMMANDS.resume);
    assert.deepEqual(commands(menuItems({ state: 'not_opted_in', detail: '' })),
        [COMMANDS.optIn, COMMANDS.review, COMMANDS.openReport]);
    assert.equal(commands(menuItems({ state: 'collector_down', uri: 'file:///w', steps: 0 }))[0], COMMANDS.restart);
    assert.deepEqual(commands(menuItems({ state: 'stopped', uri: 'file:///w', steps: 0 })),
        [COMMANDS.review, COMMANDS.openReport]);
    assert.equal(isBridgeStatus({ ...recording, state: 'stopped' }), true);
});

test('only well-formed status params are taken', () => {
    assert.equal(isBridgeStatus(recording), true);
    assert.equal(isBridgeStatus({ ...recording, state: 'sleeping' }), false);
    assert.equal(isBridgeStatus({ ...recording, steps: '12' }), false);
    assert.equal(isBridgeStatus(null), false);
});
