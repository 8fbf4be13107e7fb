// Names shared by the extension's modules: commands, the bridge's notifications, the settings file.

export const SETTINGS_FILE = '.codetape.toml';
// A notebook's cell documents (vscode-languageclient syncs them to the bridge as the notebook's cells).
export const CELL_SCHEME = 'vscode-notebook-cell';
export const CLIENT_ID = 'codetape';
export const CLIENT_NAME = 'codetape bridge';

// Not codetape.pause/resume/seal/status: those are the bridge's own commands, which vscode-languageclient
// registers under their names.
export const COMMANDS = {
    menu: 'codetape.menu',
    restart: 'codetape.restart',
    pause: 'codetape.pauseRecording',
    resume: 'codetape.resumeRecording',
    taskStart: 'codetape.taskStart',
    taskDone: 'codetape.taskDone',
    note: 'codetape.note',
    seal: 'codetape.sealEpisode',
    review: 'codetape.review',
    openReport: 'codetape.openReport',
    optIn: 'codetape.optIn',
} as const;

// What the bridge understands (schemas/messages.py) and what it sends back.
export const NOTIFY = {
    diagnostics: 'codetape/diagnostics',
    cursor: 'codetape/cursor',
    command: 'codetape/command',
    note: 'codetape/note',
    task: 'codetape/task',
    pause: 'codetape/pause',
    resume: 'codetape/resume',
    origin: 'codetape/origin',
} as const;
export const FROM_BRIDGE = { status: 'codetape/status', review: 'codetape/review' } as const;

// Asked for in `initialize` so that the bridge sends `codetape/status` (lsp_bridge/recording/status.py);
// `origin` says this editor sends `codetape/origin`, so the bridge holds each edit a moment for it
// (lsp_bridge/authorship/origins.py).
export const EXPERIMENTAL_CAPABILITIES = { codetape: { status: true, origin: true } };

export const RESTART_DELAY_MS = 500;
