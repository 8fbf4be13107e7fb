// The terminals' variables: set from what codetape said, replaced on each launch, taken back when nothing
// is recorded, and never a variable codetape did not name.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { applyTerminalEnv, EnvCollection } from '../common/terminalEnv';

function collection(): EnvCollection & { vars: Map<string, string> } {
    const vars = new Map<string, string>();
    return {
        vars, persistent: true, description: undefined,
        replace: (name, value) => { vars.set(name, value); },
        clear: () => vars.clear(),
    };
}

test('terminals get the variables codetape names, and lose them when nothing is recorded', () => {
    const terminals = collection();
    applyTerminalEnv(terminals, {
        PYTHONPATH: '/x/pytest_path:/mine', CODETAPE_COLLECTOR_SOCKET: '/h/run/collector.sock', LD_PRELOAD: '/evil.so',
    });
    assert.deepEqual(Object.fromEntries(terminals.vars), {
        PYTHONPATH: '/x/pytest_path:/mine', CODETAPE_COLLECTOR_SOCKET: '/h/run/collector.sock',
    });
    assert.equal(terminals.persistent, false);
    assert.match(String(terminals.description), /pytest/);
    applyTerminalEnv(terminals, undefined);
    assert.equal(terminals.vars.size, 0);
    assert.equal(terminals.description, undefined);
});
