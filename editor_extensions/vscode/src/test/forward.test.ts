import { strict as assert } from 'node:assert';
import { mock, test } from 'node:test';
import { commandParams, cursorParams, Debouncer, DiagnosticsForwarder } from '../common/forward';

const at = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });

test('diagnostics go one origin at a time, in LSP severities, and an origin that clears is sent empty', () => {
    const forwarder = new DiagnosticsForwarder();
    const first = forwarder.batches('file:///w/a.py', [
        { range: at(1, 4, 13), severity: 0, message: 'undefined name', source: 'Pylance', code: { value: 'reportUndefined' } },
        { range: at(2, 0, 1), severity: 1, message: 'unused', source: 'ruff', code: 'F401' },
        { range: at(3, 0, 1), severity: 3, message: 'spelling' },
    ]);
    assert.deepEqual(first, [
        { uri: 'file:///w/a.py', origin: 'Pylance', diagnostics: [
            { range: at(1, 4, 13), severity: 1, message: 'undefined name', source: 'Pylance', code: 'reportUndefined' }] },
        { uri: 'file:///w/a.py', origin: 'ruff', diagnostics: [
            { range: at(2, 0, 1), severity: 2, message: 'unused', source: 'ruff', code: 'F401' }] },
        { uri: 'file:///w/a.py', origin: 'vscode', diagnostics: [{ range: at(3, 0, 1), severity: 4, message: 'spelling' }] },
    ]);
    const second = forwarder.batches('file:///w/a.py', [{ range: at(2, 0, 1), severity: 1, message: 'unused', source: 'ruff' }]);
    assert.deepEqual(second.map((b) => [b.origin, b.diagnostics.length]), [['Pylance', 0], ['ruff', 1], ['vscode', 0]]);
    assert.deepEqual(forwarder.batches('file:///w/a.py', []).map((b) => [b.origin, b.diagnostics.length]), [['ruff', 0]]);
    assert.deepEqual(forwarder.batches('file:///w/a.py', []), []);
});

test('selections keep anchor and active', () => {
    const params = cursorParams('file:///w/a.py', [{ anchor: { line: 1, character: 2 }, active: { line: 3, character: 4 } }]);
    assert.deepEqual(params, { uri: 'file:///w/a.py', selections: [{ anchor: { line: 1, character: 2 }, active: { line: 3, character: 4 } }] });
});

test('a finished command carries its line, cwd, exit code and duration; an empty one is not sent', () => {
    assert.deepEqual(commandParams({ commandLine: 'pytest -q', cwd: 'file:///w/app', exitCode: 1, startedMs: 1000, endedMs: 2500.4 }),
        { commandLine: 'pytest -q', cwd: 'file:///w/app', exitCode: 1, durationMs: 1500 });
    assert.deepEqual(commandParams({ commandLine: 'ls', cwd: '/w/app', exitCode: undefined, startedMs: undefined, endedMs: 5 }),
        { commandLine: 'ls', cwd: '/w/app', durationMs: 0 });
    assert.equal(commandParams({ commandLine: '  ', cwd: '/w', exitCode: 0, startedMs: 0, endedMs: 1 }), undefined);
    assert.equal(commandParams({ commandLine: 'ls', cwd: undefined, exitCode: 0, startedMs: 0, endedMs: 1 }), undefined);
});

test('the debouncer runs the last call for a key once, after the quiet time', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const ran: string[] = [];
        const debouncer = new Debouncer(() => 200);
        debouncer.run('a', () => ran.push('a1'));
        mock.timers.tick(150);
        debouncer.run('a', () => ran.push('a2'));
        debouncer.run('b', () => ran.push('b1'));
        mock.timers.tick(199);
        assert.equal(ran.length, 0);
        mock.timers.tick(1);
        assert.deepEqual(ran.sort(), ['a2', 'b1']);
        debouncer.run('a', () => ran.push('a3'));
        debouncer.dispose();
        mock.timers.tick(1000);
        assert.equal(ran.length, 2);
    } finally {
        mock.timers.reset();
    }
});
