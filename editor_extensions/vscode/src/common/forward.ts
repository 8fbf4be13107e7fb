// What only the editor sees, as the bridge's `codetape/*` params (schemas/messages.py): diagnostics from
// every source, selections, finished terminal commands. Plain data in, params out: the VS Code events
// are turned into these shapes in forwarding.ts. Positions are UTF-16, as vscode-languageclient negotiates.

export interface Position {
    line: number;
    character: number;
}
export interface Range {
    start: Position;
    end: Position;
}

/** A diagnostic as VS Code holds it: severity 0 (error) to 3 (hint). */
export interface EditorDiagnostic {
    range: Range;
    severity: number;
    message: string;
    source?: string;
    code?: string | number | { value: string | number };
}

export interface LspDiagnostic {
    range: Range;
    severity: number;
    message: string;
    source?: string;
    code?: string | number;
}

export interface DiagnosticsParams {
    uri: string;
    origin: string;
    diagnostics: LspDiagnostic[];
}

const NO_SOURCE = 'vscode';

function lspDiagnostic(d: EditorDiagnostic): LspDiagnostic {
    const out: LspDiagnostic = { range: d.range, severity: d.severity + 1, message: d.message };
    if (d.source) {
        out.source = d.source;
    }
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    if (code !== undefined) {
        out.code = code;
    }
    return out;
}

/**
 * One `codetape/diagnostics` per origin (the diagnostic's source) for a document, including an empty
 * set for every origin sent before that has nothing left, so clearing is recorded too.
 */
export class DiagnosticsForwarder {
    private readonly sent = new Map<string, Set<string>>();

    batches(uri: string, diagnostics: readonly EditorDiagnostic[]): DiagnosticsParams[] {
        const byOrigin = new Map<string, LspDiagnostic[]>();
        for (const origin of this.sent.get(uri) ?? []) {
            byOrigin.set(origin, []);
        }
        for (const d of diagnostics) {
            const origin = d.source || NO_SOURCE;
            const list = byOrigin.get(origin) ?? [];
            list.push(lspDiagnostic(d));
            byOrigin.set(origin, list);
        }
        const now = new Set([...byOrigin].filter(([, list]) => list.length > 0).map(([origin]) => origin));
        if (now.size > 0) {
            this.sent.set(uri, now);
        } else {
            this.sent.delete(uri);
        }
        return [...byOrigin].map(([origin, list]) => ({ uri, origin, diagnostics: list }));
    }
}

export interface Selection {
    anchor: Position;
    active: Position;
}

export function cursorParams(uri: string, selections: readonly Selection[]): { uri: string; selections: Selection[] } {
    return {
        uri,
        selections: selections.slice(0, 1000).map((s) => ({
            anchor: { line: s.anchor.line, character: s.anchor.character },
            active: { line: s.active.line, character: s.active.character },
        })),
    };
}

export interface FinishedCommand {
    commandLine: string;
    cwd: string | undefined; // a file URI or an absolute path
    exitCode: number | undefined;
    startedMs: number | undefined;
    endedMs: number;
}

export interface CommandParams {
    commandLine: string;
    cwd: string;
    exitCode?: number;
    durationMs: number;
}

/** A finished terminal command as `codetape/command` params; undefined when there is nothing to send. */
export function commandParams(done: FinishedCommand): CommandParams | undefined {
    const line = done.commandLine.trim();
    if (!line || !done.cwd) {
        return undefined;
    }
    const out: CommandParams = {
        commandLine: done.commandLine.slice(0, 64 * 1024),
        cwd: done.cwd,
        durationMs: done.startedMs === undefined ? 0 : Math.max(0, Math.round(done.endedMs - done.startedMs)),
    };
    if (done.exitCode !== undefined) {
        out.exitCode = done.exitCode;
    }
    return out;
}

/** Runs the last function given for a key once `ms` passed without another. */
export class Debouncer {
    private readonly timers = new Map<string, NodeJS.Timeout>();

    constructor(private readonly ms: () => number) {}

    run(key: string, fn: () => void): void {
        const pending = this.timers.get(key);
        if (pending) {
            clearTimeout(pending);
        }
        this.timers.set(key, setTimeout(() => {
            this.timers.delete(key);
            fn();
        }, this.ms()));
    }

    dispose(): void {
        for (const timer of this.timers.values()) {
            clearTimeout(timer);
        }
        this.timers.clear();
    }
}
