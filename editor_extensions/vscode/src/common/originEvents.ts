// Whose work each edit is: VS Code's events turned into OriginTracker calls (origin.ts says what counts
// as evidence), and the tracker's `codetape/origin` notifications sent to the bridge for the documents it
// records. Per keystroke: one change and one selection event looked at, one timer per burst.

import type { Uri } from 'vscode';
import { NOTIFY } from './constants';
import { OriginTracker, WRAPPED } from './origin';
import {
    activeDocumentUri, changeReason, Disposable, fromKeyboard, onDidChangeTextDocument, onDidChangeTextEditorSelection,
    onPaste, wrapCommand,
} from './vscodeapi';

export function startOrigins(send: (method: string, params: object) => void, recorded: (uri: Uri) => boolean): Disposable[] {
    const tracker = new OriginTracker((params) => send(NOTIFY.origin, params), Date.now,
        (fn, ms) => void setTimeout(fn, ms));
    const wrapped = Object.entries(WRAPPED).map(([id, evidence]) => wrapCommand(id, async (run) => {
        const done = tracker.running(evidence, evidence.anyDocument ? undefined : activeDocumentUri(), evidence.graceMs);
        try {
            return await run();
        } finally {
            done();
        }
    }));
    const paste = onPaste((uri, text) => tracker.pasting(uri, text));
    return [
        onDidChangeTextDocument((event) => {
            if (event.contentChanges.length > 0 && recorded(event.document.uri)) {
                tracker.changed(event.document.uri.toString(), event.document.version, changeReason(event),
                    event.contentChanges.map((change) => change.text));
            }
        }),
        onDidChangeTextEditorSelection((event) => tracker.selected(event.textEditor.document.uri.toString(), fromKeyboard(event))),
        ...wrapped,
        ...(paste ? [paste] : []),
    ];
}
