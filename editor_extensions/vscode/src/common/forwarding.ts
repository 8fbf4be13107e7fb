// What only the editor sees, forwarded to the bridge as it happens: diagnostics from every source,
// the selection (debounced) and the active editor, terminal commands from shell integration.

import type { TerminalShellExecution, TextEditor, Uri } from 'vscode';
import { NOTIFY } from './constants';
import { commandParams, cursorParams, Debouncer, DiagnosticsForwarder } from './forward';
import { inside, recordedUri } from './workspace';
import {
    activeEditor, Disposable, getDiagnostics, onDidChangeActiveTextEditor, onDidChangeDiagnostics,
    onDidChangeTextEditorSelection, onDidEndTerminalShellExecution, onDidStartTerminalShellExecution,
} from './vscodeapi';

const SHARED_SCHEMES = new Set(['file', 'vscode-local', 'vscode-remote']);

export type Send = (method: string, params: object) => void;

export function startForwarding(send: Send, roots: () => readonly string[], debounceMs: () => number,
    log: (line: string) => void): Disposable[] {
    const recorded = (uri: Uri) => recordedUri(roots(), uri);
    const diagnostics = new DiagnosticsForwarder();
    const debouncer = new Debouncer(debounceMs);
    const started = new WeakMap<TerminalShellExecution, number>();

    const cursor = (editor: TextEditor | undefined) => {
        if (editor && recorded(editor.document.uri)) {
            send(NOTIFY.cursor, cursorParams(editor.document.uri.toString(), editor.selections));
        }
    };
    cursor(activeEditor());  // where the developer is when recording starts
    return [
        onDidChangeDiagnostics((event) => {
            for (const uri of event.uris) {
                if (recorded(uri)) {
                    for (const batch of diagnostics.batches(uri.toString(), getDiagnostics(uri))) {
                        send(NOTIFY.diagnostics, batch);
                    }
                }
            }
        }),
        onDidChangeTextEditorSelection((event) => {
            debouncer.run(event.textEditor.document.uri.toString(), () => cursor(event.textEditor));
        }),
        onDidChangeActiveTextEditor((editor) => cursor(editor)),
        onDidStartTerminalShellExecution((event) => started.set(event.execution, Date.now())),
        onDidEndTerminalShellExecution((event) => {
            // code-server reports the terminal's cwd as vscode-local:/path, Remote as vscode-remote://host/path:
            // the shell and this extension host share that filesystem, so the path is what counts.
            const uri = event.execution.cwd ?? event.shellIntegration.cwd;
            const cwd = uri && SHARED_SCHEMES.has(uri.scheme) && uri.path.startsWith('/') ? uri.path : undefined;
            log(`terminal command ended (exit ${event.exitCode}) in ${uri?.toString() ?? 'an unknown directory'}`);
            if (cwd && !roots().some((root) => inside(root, cwd))) {
                return;
            }
            const params = commandParams({
                commandLine: event.execution.commandLine.value,
                cwd,
                exitCode: event.exitCode,
                startedMs: started.get(event.execution),
                endedMs: Date.now(),
            });
            if (params) {
                send(NOTIFY.command, params);
            }
        }),
        { dispose: () => debouncer.dispose() },
    ];
}
