// What the integrated terminals get while a folder is recorded: the variables (from `codetape status
// --json`) through which any pytest started in them, whatever virtualenv runs it, records its tests: the
// plugin's folder first on PYTHONPATH and the collector's socket. Only new terminals see them (VS Code
// marks the old ones stale). The Testing panel is not reached: the Python extension starts its pytest
// with its own environment, which an extension's collection does not touch.

/** The part of VS Code's EnvironmentVariableCollection used here. */
export interface EnvCollection {
    persistent: boolean;
    description: string | object | undefined; // VS Code: string or MarkdownString
    replace(variable: string, value: string): void;
    clear(): void;
}

const KNOWN = new Set(['PYTHONPATH', 'CODETAPE_COLLECTOR_SOCKET']);

/** Give terminals `env` (none: take back what was given); only the variables codetape names. */
export function applyTerminalEnv(collection: EnvCollection, env: Record<string, string> | undefined): void {
    collection.clear();
    collection.persistent = false; // a window restored without codetape running gets nothing
    const given = Object.entries(env ?? {}).filter(([name, value]) => KNOWN.has(name) && value !== '');
    for (const [name, value] of given) {
        collection.replace(name, value);
    }
    collection.description = given.length > 0 ? 'codetape: pytest records its tests in recorded folders' : undefined;
}
