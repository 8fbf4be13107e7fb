// Every use of the VS Code API (and of vscode-languageclient, which is built on it) goes through here,
// so that the rest of the extension is plain TypeScript its unit tests run without VS Code.

import * as vscode from 'vscode';
import { CELL_SCHEME } from './constants';
import { LanguageClient, LanguageClientOptions, ServerOptions, StaticFeature } from 'vscode-languageclient/node';

export type { Disposable, ExtensionContext, LogOutputChannel, StatusBarItem, WebviewPanel } from 'vscode';
export type { LanguageClient } from 'vscode-languageclient/node';

export const { onDidChangeConfiguration, onDidChangeWorkspaceFolders, onDidChangeTextDocument } = vscode.workspace;
export const { onDidChangeDiagnostics, getDiagnostics } = vscode.languages;
export const {
    onDidChangeTextEditorSelection, onDidChangeActiveTextEditor, onDidStartTerminalShellExecution,
    onDidEndTerminalShellExecution, showInformationMessage, showErrorMessage, showWarningMessage,
    showQuickPick, showInputBox,
} = vscode.window;

export function activeEditor(): vscode.TextEditor | undefined {
    return vscode.window.activeTextEditor;
}

export function getSetting(key: string): unknown {
    return vscode.workspace.getConfiguration('codetape').get(key);
}

/** How a setting is set at each level (user, workspace, folder). */
export function inspectSetting(key: string): { globalValue?: unknown; workspaceValue?: unknown } | undefined {
    return vscode.workspace.getConfiguration('codetape').inspect(key);
}

/** Whether the user trusts this workspace (Workspace Trust; false in Restricted Mode). */
export function isTrusted(): boolean {
    return vscode.workspace.isTrusted;
}

export const { onDidGrantWorkspaceTrust } = vscode.workspace;

export function workspaceFolderPaths(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export function createOutputChannel(name: string): vscode.LogOutputChannel {
    return vscode.window.createOutputChannel(name, { log: true });
}

export function registerCommand(command: string, callback: (...args: unknown[]) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(command, callback);
}

export function executeCommand(command: string): Thenable<unknown> {
    return vscode.commands.executeCommand(command);
}

/** What a document change says about itself: undo, redo, or nothing (TextDocumentChangeEvent.reason). */
export function changeReason(event: vscode.TextDocumentChangeEvent): 'undo' | 'redo' | undefined {
    return event.reason === vscode.TextDocumentChangeReason.Undo ? 'undo'
        : event.reason === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined;
}

export function fromKeyboard(event: vscode.TextEditorSelectionChangeEvent): boolean {
    return event.kind === vscode.TextEditorSelectionChangeKind.Keyboard;
}

export function activeDocumentUri(): string | undefined {
    return vscode.window.activeTextEditor?.document.uri.toString();
}

/**
 * Runs `around` each time the editor's own command `id` runs, by registering the same id (the newest
 * registration of a command is the one that runs) and calling the editor's through `run`, with this
 * registration taken away for the call (the extension host would call it back otherwise). Only for the
 * editor's commands: another extension's id cannot be registered twice in one extension host.
 */
export function wrapCommand(id: string, around: (run: () => Thenable<unknown>) => Thenable<unknown>): vscode.Disposable {
    let registration: vscode.Disposable | undefined;
    let disposed = false;
    const register = () => {
        if (!registration && !disposed) {
            registration = vscode.commands.registerCommand(id, handler);
        }
    };
    const handler = (...args: unknown[]) => around(async () => {
        registration?.dispose();
        registration = undefined;
        try {
            return await vscode.commands.executeCommand(id, ...args);
        } finally {
            register();
        }
    });
    register();
    return new vscode.Disposable(() => {
        disposed = true;
        registration?.dispose();
    });
}

// DocumentPasteEditProvider is stable API from VS Code 1.97; this extension runs from 1.93 (its types).
interface PasteApi {
    registerDocumentPasteEditProvider?(selector: vscode.DocumentSelector, provider: {
        provideDocumentPasteEdits(document: vscode.TextDocument, ranges: readonly vscode.Range[],
            dataTransfer: vscode.DataTransfer): Promise<undefined>;
    }, metadata: { providedPasteEditKinds: readonly unknown[]; pasteMimeTypes: readonly string[] }): vscode.Disposable;
}

/**
 * Tells `pasting` about every paste of text into a file document, before it is applied: a paste provider
 * that offers no edit of its own (the editor pastes as it would without it). Undefined where the API is
 * missing (VS Code before 1.97).
 */
export function onPaste(pasting: (uri: string, text: string) => void): vscode.Disposable | undefined {
    const api = vscode.languages as unknown as PasteApi;
    return api.registerDocumentPasteEditProvider?.([{ scheme: 'file' }, { scheme: CELL_SCHEME }], {
        async provideDocumentPasteEdits(document, _ranges, dataTransfer) {
            const text = await dataTransfer.get('text/plain')?.asString();
            if (text !== undefined) {
                pasting(document.uri.toString(), text);
            }
            return undefined;
        },
    }, { providedPasteEditKinds: [], pasteMimeTypes: ['text/plain'] });
}

export function createStatusBarItem(id: string): vscode.StatusBarItem {
    const item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, 100);
    item.name = 'codetape recording';
    return item;
}

export function warningBackground(on: boolean): vscode.ThemeColor | undefined {
    return on ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
}

export function createWebviewPanel(title: string): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel('codetape.review', title, vscode.ViewColumn.Active,
        { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: true });
}

export function fileUri(path: string): string {
    return vscode.Uri.file(path).toString();
}

/** The active interpreter of the Python extension (ms-python.python), when it is installed. */
export async function pythonExtensionInterpreter(folder: string | undefined): Promise<string | undefined> {
    const extension = vscode.extensions.getExtension('ms-python.python');
    if (!extension) {
        return undefined;
    }
    try {
        const api = (await extension.activate()) as {
            environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } };
        };
        return api.environments?.getActiveEnvironmentPath(folder ? vscode.Uri.file(folder) : undefined).path;
    } catch {
        return undefined;
    }
}

/** A language client that asks the server for `experimental` capabilities (here: codetape/status). */
export function createLanguageClient(id: string, name: string, server: ServerOptions, options: LanguageClientOptions,
    experimental: Record<string, unknown>): LanguageClient {
    const client = new LanguageClient(id, name, server, options);
    const feature: StaticFeature = {
        fillClientCapabilities(capabilities) {
            capabilities.experimental = { ...(capabilities.experimental as object | undefined), ...experimental };
        },
        initialize() {},
        getState() {
            return { kind: 'static' };
        },
        clear() {},
    };
    client.registerFeature(feature);
    return client;
}
