// Whose work each edit is: VS Code's events turned into OriginTracker calls (origin.ts says what counts
// as evidence), and the tracker's `codetape/origin` notifications sent to the bridge for the documents it
// records. Per keystroke: one change and one selection event looked at, one timer per burst. The editor's
// commands are wrapped, and the paste provider registered, only while the bridge runs: a window that
// records nothing keeps its commands as they are.

import { NOTIFY } from './constants';
import { OriginTracker, WRAPPED } from './origin';
import { recordedEdits } from './workspace';
import {
    activeDocumentUri, changeReason, Disposable, fromKeyboard, onDidChangeTextDocument, onDidChangeTextEditorSelection,
    onPaste, wrapCommand,
} from './vscodeapi';

export class Origins {
    private readonly tracker: OriginTracker;
    private readonly listeners: Disposable[];
    private hooks: Disposable[] = [];

    constructor(send: (method: string, params: object) => void, roots: () => readonly string[]) {
        this.tracker = new OriginTracker((params) => send(NOTIFY.origin, params), Date.now,
            (fn, ms) => void setTimeout(fn, ms));
        this.listeners = [
            onDidChangeTextDocument((event) => {
                if (this.hooks.length > 0 && event.contentChanges.length > 0 && recordedEdits(roots(), event.document.uri)) {
                    this.tracker.changed(event.document.uri.toString(), event.document.version, changeReason(event),
                        event.contentChanges.map((change) => change.text),
                        event.contentChanges.every((change) => change.rangeLength === 0));
                }
            }),
            onDidChangeTextEditorSelection((event) => {
                if (this.hooks.length > 0) {
                    this.tracker.selected(event.textEditor.document.uri.toString(), fromKeyboard(event));
                }
            }),
        ];
    }

    /** The bridge runs (`on`) or not: the commands are wrapped and pastes watched only while it does. */
    recording(on: boolean): void {
        if (on === this.hooks.length > 0) {
            return;
        }
        if (!on) {
            this.unhook();
            return;
        }
        const tracker = this.tracker;
        this.hooks = Object.entries(WRAPPED).map(([id, evidence]) => wrapCommand(id, async (run) => {
            const done = tracker.running(evidence, evidence.anyDocument ? undefined : activeDocumentUri(), evidence.graceMs);
            try {
                return await run();
            } finally {
                done();
            }
        }));
        const paste = onPaste((uri, text) => tracker.pasting(uri, text));
        if (paste) {
            this.hooks.push(paste);
        }
    }

    dispose(): void {
        this.unhook();
        this.listeners.forEach((listener) => listener.dispose());
    }

    private unhook(): void {
        this.hooks.forEach((hook) => hook.dispose());
        this.hooks = [];
    }
}
