// Whose work an edit is, as VS Code can tell (issue 28; the vocabulary is schemas/steps/edit.py): the
// `codetape/origin` params for the document version a change makes, from evidence the editor gives, never
// guessed. Plain data in, params out: originEvents.ts turns VS Code's events into these calls.
//
// The evidence, strongest first:
// - the change's `reason` (TextDocumentChangeReason.Undo / Redo): undo, redo;
// - a paste: the editor asked the paste providers (DocumentPasteEditProvider) for this document and the
//   change inserts exactly the pasted text;
// - the selection moved with `TextEditorSelectionChangeKind.Keyboard` right after the change, and each
//   content change inserts one character (or a bracket and the closing one the editor adds): typed.
//   In code-server 4.100.3 typed characters get that kind, and a line break (Enter), a paste, an accepted
//   suggestion, a format, an undo get none; deletions insert nothing. So Backspace, Delete and indentation
//   of more than one character stay unknown;
// - a command codetape wraps was running when the change came (accepting a suggestion or an inline
//   suggestion, formatting, renaming, a code action): its origin;
// - a heuristic, said as one in the detail (`LINE_BREAK`): one change inserting a line break and the
//   indentation after it where it replaces nothing, with no command nor paste behind it, followed by a
//   move of the selection (of no kind: VS Code gives Enter's none) is a line break typed. (A reload from
//   disk that ends in a line break replaces the lines it changes.)
// Anything else is sent nothing: the bridge records `unknown`.

export type Origin = 'typed' | 'paste' | 'cut' | 'completion' | 'ai_completion' | 'agent' | 'snippet' | 'code_action'
    | 'rename' | 'format' | 'undo' | 'redo' | 'unknown';

export interface Evidence {
    origin: Origin;
    detail: string; // `vscode:<what said so>`
}

export interface OriginParams extends Evidence {
    uri: string;
    version: number;
}

/** The commands whose edits carry their origin: each is wrapped so the change it makes is marked.
 * `anyDocument`: the command may change documents other than the active one (rename, code actions).
 * `graceMs`: how long after the command returns its change may still come (a code action chosen in the
 * action widget is applied after the widget's accept command has returned). AI extensions (Copilot,
 * Codeium, Supermaven, Tabnine, ...) offer inline suggestions through the InlineCompletionItemProvider
 * API, so they are accepted through the editor's inline suggestion commands, wrapped here; their own
 * command ids cannot be wrapped (one extension host: a second registration of an id fails). */
export const WRAPPED: Readonly<Record<string, Evidence & { anyDocument?: boolean; graceMs?: number }>> = {
    'editor.action.inlineSuggest.commit': { origin: 'ai_completion', detail: 'vscode:editor.action.inlineSuggest.commit' },
    'editor.action.inlineSuggest.acceptNextWord': { origin: 'ai_completion', detail: 'vscode:editor.action.inlineSuggest.acceptNextWord' },
    'editor.action.inlineSuggest.acceptNextLine': { origin: 'ai_completion', detail: 'vscode:editor.action.inlineSuggest.acceptNextLine' },
    acceptSelectedSuggestion: { origin: 'completion', detail: 'vscode:acceptSelectedSuggestion' },
    acceptAlternativeSelectedSuggestion: { origin: 'completion', detail: 'vscode:acceptAlternativeSelectedSuggestion' },
    'editor.action.formatDocument': { origin: 'format', detail: 'vscode:editor.action.formatDocument' },
    'editor.action.formatSelection': { origin: 'format', detail: 'vscode:editor.action.formatSelection' },
    'editor.action.formatChanges': { origin: 'format', detail: 'vscode:editor.action.formatChanges' },
    'editor.action.rename': { origin: 'rename', detail: 'vscode:editor.action.rename', anyDocument: true },
    acceptSelectedCodeAction: { origin: 'code_action', detail: 'vscode:acceptSelectedCodeAction', anyDocument: true, graceMs: 1000 },
    'editor.action.organizeImports': { origin: 'code_action', detail: 'vscode:editor.action.organizeImports', anyDocument: true },
    'editor.action.autoFix': { origin: 'code_action', detail: 'vscode:editor.action.autoFix', anyDocument: true },
    'editor.action.fixAll': { origin: 'code_action', detail: 'vscode:editor.action.fixAll', anyDocument: true },
};

export const PASTE: Evidence = { origin: 'paste', detail: 'vscode:DocumentPasteEditProvider' };
export const TYPED: Evidence = { origin: 'typed', detail: 'vscode:TextEditorSelectionChangeKind.Keyboard' };
export const LINE_BREAK: Evidence = { origin: 'typed', detail: 'vscode:Enter (heuristic: a lone line break at the caret)' };
const UNDO: Evidence = { origin: 'undo', detail: 'vscode:TextDocumentChangeReason.Undo' };
const REDO: Evidence = { origin: 'redo', detail: 'vscode:TextDocumentChangeReason.Redo' };

export const SETTLE_MS = 30; // the selection event follows its change within this (same batch from the renderer)
export const PASTE_MS = 1000; // a paste's change follows the providers' answer within this
const COMMAND_GRACE_MS = 100;
const MAX_PENDING = 256;
const MAX_MARKS = 32;

interface Mark extends Evidence {
    uri: string | undefined; // undefined: any document
    since: number;
    until: number; // Infinity while the command runs
    labelled: Set<string>; // documents whose change it labelled: one change each
    pasted?: string;
}

interface Pending {
    uri: string;
    version: number;
    inserted: readonly string[];
    at: number;
    keyboard: boolean;
    moved: boolean; // a selection event of any kind came after it
    pure: boolean; // its changes replaced nothing (insertions only)
}

export type Later = (fn: () => void, ms: number) => void;

export class OriginTracker {
    private readonly pending: Pending[] = [];
    private readonly marks: Mark[] = [];
    private flushing = false;

    constructor(private readonly send: (params: OriginParams) => void, private readonly now: () => number,
        private readonly later: Later) {}

    /** A document changed (`reason`: VS Code's TextDocumentChangeReason, when it gave one; `pure`: its
     * changes replaced nothing). */
    changed(uri: string, version: number, reason: 'undo' | 'redo' | undefined, inserted: readonly string[],
        pure = false): void {
        if (reason) {
            this.send({ uri, version, ...(reason === 'undo' ? UNDO : REDO) });
            return;
        }
        this.pending.push({ uri, version, inserted, at: this.now(), keyboard: false, moved: false, pure });
        this.pending.splice(0, this.pending.length - MAX_PENDING);
        if (!this.flushing) {
            this.flushing = true;
            this.later(() => this.flush(), SETTLE_MS);
        }
    }

    /** The selection of an editor on `uri` changed, from the keyboard or not. */
    selected(uri: string, keyboard: boolean): void {
        const last = this.pending.at(-1);
        if (last && last.uri === uri) {
            last.keyboard ||= keyboard;
            last.moved = true;
        }
    }

    /** The editor asked the paste providers for `uri`: its next change inserting `text` is a paste. */
    pasting(uri: string, text: string): void {
        const at = this.now();
        this.mark({ ...PASTE, uri, since: at, until: at + PASTE_MS, labelled: new Set(), pasted: text });
    }

    /** A wrapped command starts (on `uri`, or any document); call the result when it has returned. */
    running(evidence: Evidence, uri: string | undefined, graceMs = COMMAND_GRACE_MS): () => void {
        const mark: Mark = { origin: evidence.origin, detail: evidence.detail, uri, since: this.now(), until: Infinity, labelled: new Set() };
        this.mark(mark);
        return () => {
            mark.until = this.now() + graceMs;
        };
    }

    /** Decide the changes waiting for their selection event. */
    flush(): void {
        this.flushing = false;
        const now = this.now();
        for (const change of this.pending.splice(0)) {
            const evidence = this.evidence(change);
            if (evidence) {
                this.send({ uri: change.uri, version: change.version, origin: evidence.origin, detail: evidence.detail });
            }
        }
        this.expire(now);
    }

    private evidence(change: Pending): Evidence | undefined {
        const paste = this.take(change, (mark) => mark.pasted !== undefined && pastes(mark.pasted, change.inserted));
        if (paste) {
            return paste;
        }
        if (change.keyboard && change.inserted.every(keystroke)) {
            return TYPED; // even while a command runs: a character typed while a formatter thinks is typed
        }
        const command = this.take(change, (mark) => mark.pasted === undefined);
        if (command) {
            return command;
        }
        return change.moved && change.pure && change.inserted.length === 1 && /^\r?\n[ \t]*$/.test(change.inserted[0])
            ? LINE_BREAK : undefined;
    }

    private take(change: Pending, fits: (mark: Mark) => boolean): Evidence | undefined {
        for (let i = this.marks.length - 1; i >= 0; i--) {
            const mark = this.marks[i];
            if ((mark.uri === undefined || mark.uri === change.uri) && !mark.labelled.has(change.uri)
                && mark.since <= change.at && change.at <= mark.until && fits(mark)) {
                mark.labelled.add(change.uri);
                return { origin: mark.origin, detail: mark.detail };
            }
        }
        return undefined;
    }

    private mark(mark: Mark): void {
        this.marks.push(mark);
        this.marks.splice(0, this.marks.length - MAX_MARKS);
    }

    private expire(now: number): void {
        for (let i = this.marks.length - 1; i >= 0; i--) {
            if (this.marks[i].until < now) {
                this.marks.splice(i, 1);
            }
        }
    }
}

const PAIRS = new Set(['()', '[]', '{}', '""', "''", '``']);

/** What one typed character inserts (over a selection or not): one code point, or a bracket or quote and
 * the closing one the editor adds (`editor.autoClosingBrackets`). */
function keystroke(text: string): boolean {
    return text.length <= 2 && ([...text].length === 1 || PAIRS.has(text));
}

/** Whether the changes insert the pasted text: all of it, or one line per cursor. */
function pastes(pasted: string, inserted: readonly string[]): boolean {
    if (inserted.length === 1) {
        return inserted[0] === pasted;
    }
    const lines = new Set(pasted.split(/\r?\n/));
    return inserted.length > 0 && inserted.every((text) => lines.has(text));
}
