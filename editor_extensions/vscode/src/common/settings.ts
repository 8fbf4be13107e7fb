// The extension's settings (`codetape.*`). Their declaration in package.json is generated from
// schemas/editor.py (`python -m schemas.generate`); this module only reads them, falling back to the
// same defaults (test/settings.test.ts holds the two together). A setting that names a program or a file
// (USER_ONLY, `scope: machine` in package.json) is read from the user's own settings only: a folder's
// `.vscode/settings.json` never chooses what runs, even in a VS Code that ignored the scope.

export interface Settings {
    interpreter: string[];
    autostartCollector: boolean;
    cursorDebounceMs: number;
    bridgeLog: string;
}

export const DEFAULTS: Settings = { interpreter: [], autostartCollector: true, cursorDebounceMs: 200, bridgeLog: '' };
export const SETTING_KEYS = Object.keys(DEFAULTS) as (keyof Settings)[];
export const USER_ONLY: readonly (keyof Settings)[] = ['interpreter', 'bridgeLog'];

/** What `WorkspaceConfiguration.inspect` tells of a setting: the value at each level. */
export interface Inspected {
    globalValue?: unknown;
    workspaceValue?: unknown;
    workspaceFolderValue?: unknown;
}

/** A setting's value in the user's own settings, whatever a workspace or folder says. */
export function userValue(inspected: Inspected | undefined): unknown {
    return inspected?.globalValue;
}

/** The settings, typed: USER_ONLY ones from `user` (the user's settings), the others from `get`
 * (`workspace.getConfiguration('codetape').get`, where a workspace may override the user). */
export function readSettings(get: (key: string) => unknown, user: (key: string) => unknown): Settings {
    const value = (key: keyof Settings) => (USER_ONLY.includes(key) ? user(key) : get(key));
    const interpreter = value('interpreter');
    const autostart = value('autostartCollector');
    const debounce = value('cursorDebounceMs');
    const log = value('bridgeLog');
    return {
        interpreter: Array.isArray(interpreter) && interpreter.every((s) => typeof s === 'string' && s !== '')
            ? interpreter : DEFAULTS.interpreter,
        autostartCollector: typeof autostart === 'boolean' ? autostart : DEFAULTS.autostartCollector,
        cursorDebounceMs: Number.isInteger(debounce) && (debounce as number) >= 0
            ? (debounce as number) : DEFAULTS.cursorDebounceMs,
        bridgeLog: typeof log === 'string' ? log : DEFAULTS.bridgeLog,
    };
}

/** Whether a configuration change touches a setting that needs the bridge restarted. */
export function needsRestart(affects: (section: string) => boolean): boolean {
    return SETTING_KEYS.some((key) => key !== 'cursorDebounceMs' && affects(`codetape.${key}`));
}
