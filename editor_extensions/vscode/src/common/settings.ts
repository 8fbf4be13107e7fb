// The extension's settings (`codetape.*`). Their declaration in package.json is generated from
// schemas/editor.py (`python -m schemas.generate`); this module only reads them, falling back to the
// same defaults (test/settings.test.ts holds the two together).

export interface Settings {
    interpreter: string[];
    autostartCollector: boolean;
    cursorDebounceMs: number;
    bridgeLog: string;
}

export const DEFAULTS: Settings = { interpreter: [], autostartCollector: true, cursorDebounceMs: 200, bridgeLog: '' };
export const SETTING_KEYS = Object.keys(DEFAULTS) as (keyof Settings)[];

/** The settings from a configuration getter (`workspace.getConfiguration('codetape').get`), typed. */
export function readSettings(get: (key: string) => unknown): Settings {
    const interpreter = get('interpreter');
    const autostart = get('autostartCollector');
    const debounce = get('cursorDebounceMs');
    const log = get('bridgeLog');
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
