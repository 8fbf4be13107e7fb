import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { LINE_BREAK, OriginParams, OriginTracker, PASTE_MS, SETTLE_MS, WRAPPED } from '../common/origin';

const A = 'file:///w/a.py';
const B = 'file:///w/b.py';

/** A tracker on a clock the test moves; `tick` runs what is due, as setTimeout would. */
function tracker() {
    const sent: OriginParams[] = [];
    let now = 1000;
    const timers: { at: number; fn: () => void }[] = [];
    const origins = new OriginTracker((params) => sent.push(params), () => now, (fn, ms) => timers.push({ at: now + ms, fn }));
    const tick = (ms: number) => {
        now += ms;
        for (const timer of timers.filter((t) => t.at <= now)) {
            timers.splice(timers.indexOf(timer), 1);
            timer.fn();
        }
    };
    const said = () => sent.map((p) => [p.uri === A ? 'a' : 'b', p.version, p.origin, p.detail]);
    return { origins, tick, said };
}

const typed = 'vscode:TextEditorSelectionChangeKind.Keyboard';

test('undo and redo are said at once, from the change reason', () => {
    const { origins, said } = tracker();
    origins.changed(A, 5, 'undo', ['gre']);
    origins.changed(A, 6, 'redo', ['greeting']);
    assert.deepEqual(said(), [['a', 5, 'undo', 'vscode:TextDocumentChangeReason.Undo'],
        ['a', 6, 'redo', 'vscode:TextDocumentChangeReason.Redo']]);
});

test('a character followed by a keyboard selection is typed; a deletion is not', () => {
    const { origins, tick, said } = tracker();
    origins.changed(A, 2, undefined, ['g']);
    origins.selected(A, true);
    origins.changed(A, 3, undefined, ['😀']);
    origins.selected(A, true);
    origins.changed(A, 4, undefined, ['\n'], true); // Enter: VS Code gives its cursor move no kind
    origins.selected(A, false);
    origins.changed(A, 5, undefined, ['']); // Backspace, even if a keyboard selection came
    origins.selected(A, true);
    origins.changed(A, 6, undefined, ['ab']); // two characters at once are not one keystroke
    origins.selected(A, true);
    origins.changed(A, 8, undefined, ['()']); // but a bracket and the one the editor closes it with are
    origins.selected(A, true);
    origins.changed(A, 7, undefined, ['x']); // a keyboard selection in another document says nothing of this one
    origins.selected(B, true);
    assert.deepEqual(said(), []);
    tick(SETTLE_MS);
    assert.deepEqual(said(), [['a', 2, 'typed', typed], ['a', 3, 'typed', typed],
        ['a', 4, 'typed', LINE_BREAK.detail], ['a', 8, 'typed', typed]]);
});

test('a lone line break followed by a selection move is typed, said as a heuristic; not without the move', () => {
    const { origins, tick, said } = tracker();
    origins.changed(A, 2, undefined, ['\n    '], true); // Enter in an indented block: the indentation too
    origins.selected(A, false);
    origins.changed(A, 3, undefined, ['\n'], true); // no selection event: a program's edit, not a key
    origins.changed(A, 4, undefined, ['\nagent = 1'], true); // more than a line break: no key makes that
    origins.selected(A, false);
    origins.changed(A, 5, undefined, ['\n'], false); // over lines it replaces: a reload from disk
    origins.selected(A, false);
    tick(SETTLE_MS);
    assert.deepEqual(said(), [['a', 2, 'typed', LINE_BREAK.detail]]);
});

test('a paste is the change inserting the pasted text, once, soon after the providers were asked', () => {
    const { origins, tick, said } = tracker();
    origins.pasting(A, 'pasted = 1\n');
    origins.changed(A, 2, undefined, ['pasted = 1\n']);
    tick(SETTLE_MS);
    origins.changed(A, 3, undefined, ['pasted = 1\n']); // the mark was used
    tick(SETTLE_MS);
    origins.pasting(A, 'one\ntwo');
    origins.changed(A, 4, undefined, ['one', 'two']); // one line per cursor
    tick(SETTLE_MS);
    origins.pasting(A, 'late');
    tick(PASTE_MS + 1);
    origins.changed(A, 5, undefined, ['late']);
    tick(SETTLE_MS);
    origins.pasting(B, 'x');
    origins.changed(A, 6, undefined, ['x']); // pasted into another document
    tick(SETTLE_MS);
    assert.deepEqual(said(), [['a', 2, 'paste', 'vscode:DocumentPasteEditProvider'],
        ['a', 4, 'paste', 'vscode:DocumentPasteEditProvider']]);
});

test('a wrapped command labels the change it makes in its document; typing while it runs stays typed', () => {
    const { origins, tick, said } = tracker();
    const done = origins.running(WRAPPED['editor.action.formatDocument'], A);
    origins.changed(A, 2, undefined, ['x']);
    origins.selected(A, true);
    origins.changed(B, 7, undefined, ['  ']); // another document
    origins.changed(A, 3, undefined, ['', '\n    ', '\n']);
    origins.changed(A, 4, undefined, ['y']); // the format's mark is used once
    tick(SETTLE_MS);
    done();
    assert.deepEqual(said(), [['a', 2, 'typed', typed], ['a', 3, 'format', 'vscode:editor.action.formatDocument']]);
});

test('a command on any document labels one change in each until a moment after it returns', () => {
    const { origins, tick, said } = tracker();
    const done = origins.running(WRAPPED['editor.action.rename'], undefined);
    origins.changed(A, 2, undefined, ['total']);
    origins.changed(B, 9, undefined, ['total']);
    origins.changed(A, 3, undefined, ['']); // a second change in a document it changed is not its
    tick(SETTLE_MS);
    done();
    const later = origins.running(WRAPPED.acceptSelectedCodeAction, undefined, 200);
    later();
    tick(150);
    origins.changed(A, 4, undefined, ['import os\n']); // the action widget's edit, after its command returned
    tick(200);
    origins.changed(A, 5, undefined, ['']);
    tick(SETTLE_MS);
    assert.deepEqual(said(), [['a', 2, 'rename', 'vscode:editor.action.rename'],
        ['b', 9, 'rename', 'vscode:editor.action.rename'], ['a', 4, 'code_action', 'vscode:acceptSelectedCodeAction']]);
});

test('accepting a suggestion or an inline suggestion labels the accepted text', () => {
    const { origins, tick, said } = tracker();
    let done = origins.running(WRAPPED.acceptSelectedSuggestion, A);
    origins.changed(A, 2, undefined, ['greeting']);
    done();
    tick(SETTLE_MS);
    done = origins.running(WRAPPED['editor.action.inlineSuggest.commit'], A);
    origins.changed(A, 3, undefined, ['return total\n']);
    done();
    tick(SETTLE_MS);
    assert.deepEqual(said(), [['a', 2, 'completion', 'vscode:acceptSelectedSuggestion'],
        ['a', 3, 'ai_completion', 'vscode:editor.action.inlineSuggest.commit']]);
});

test('every wrapped command says where its evidence comes from, in the vocabulary', () => {
    for (const [id, evidence] of Object.entries(WRAPPED)) {
        assert.equal(evidence.detail, `vscode:${id}`);
        assert.match(evidence.origin, /^(completion|ai_completion|format|rename|code_action)$/);
    }
});
