// What the status bar item says, and what its menu offers, from the bridge's `codetape/status`
// (lsp_bridge/recording/status.py) or, before the bridge can say anything, from what the extension knows
// itself.
// Honest first: the item never claims recording that the collector did not confirm.

import { COMMANDS } from './constants';

/** `codetape/status` params (schemas/messages.py StatusParams). */
export interface BridgeStatus {
    uri: string;
    state: 'recording' | 'paused' | 'not_recording' | 'not_opted_in' | 'collector_down' | 'stopped';
    steps: number;
    episode?: string | null;
    detail?: string;
    uploadError?: string | null;
    held?: number;
    scope?: string | null;
}

/** What is shown: the bridge's word, or the extension's own when there is none yet. */
export type Shown =
    | BridgeStatus
    | { state: 'not_opted_in'; detail: string }
    | { state: 'starting' }
    | { state: 'bridge_down'; detail: string };

export interface View {
    text: string;
    tooltip: string;
    warning: boolean;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function isBridgeStatus(value: unknown): value is BridgeStatus {
    const v = value as BridgeStatus;
    return typeof v === 'object' && v !== null && typeof v.uri === 'string' && typeof v.steps === 'number'
        && ['recording', 'paused', 'not_recording', 'not_opted_in', 'collector_down', 'stopped'].includes(v.state);
}

export function statusView(shown: Shown): View {
    const upload = 'uploadError' in shown && shown.uploadError ? shown.uploadError : undefined;
    // While recording or paused, a detail says the settings file loosens what was accepted (the stricter applies).
    const changed = (shown.state === 'recording' || shown.state === 'paused') && shown.detail ? shown.detail : undefined;
    const held = 'held' in shown && shown.held ? shown.held : 0;
    // The managed policy's scopes governing the workspace (while recording or paused): whose rules bind it.
    const scope = 'scope' in shown && shown.scope ? shown.scope : undefined;
    const suffix = (scope ? ` · governed by ${scope}` : '') + (changed ? ' · settings changed' : '')
        + (upload ? ' · upload failed' : '') + (held ? ` · ${held} held` : '');
    const uploadLine = (scope ? `\nGoverned by the managed policy's scope ${scope}: its rules bind what is `
            + 'recorded and shared here (`codetape status` names its file).' : '')
        + (changed ? `\n${changed}.` : '')
        + (upload ? `\nThe last upload failed: ${upload} (the collector retries).` : '')
        + (held ? `\n${plural(held, 'signed episode')} held before leaving: run \`codetape review\` in a terminal `
            + 'to see why and send each anyway or withdraw it.' : '');
    switch (shown.state) {
        case 'recording':
            return {
                text: `$(record) codetape: recording ${plural(shown.steps, 'step')}${suffix}`,
                tooltip: `codetape is recording this workspace: ${plural(shown.steps, 'step')} in the open episode`
                    + `${shown.episode ? ` ${shown.episode}` : ''}. Nothing leaves this machine until you review `
                    + `and sign it.${uploadLine}`,
                warning: Boolean(upload || changed || held),
            };
        case 'paused':
            return {
                text: `$(debug-pause) codetape: paused${suffix}`,
                tooltip: `codetape is paused here: nothing is recorded until you resume.${uploadLine}`,
                warning: Boolean(upload || changed || held),
            };
        case 'not_recording':
            return {
                text: `$(warning) codetape: not recording${suffix}`,
                tooltip: `Not recording: ${shown.detail}.${uploadLine}`,
                warning: true,
            };
        case 'not_opted_in':
            return {
                text: '$(circle-slash) codetape: not opted in',
                tooltip: `codetape records nothing here${shown.detail ? `: ${shown.detail}` : ''}.`,
                warning: false,
            };
        case 'collector_down':
            return {
                text: `$(warning) codetape: collector down${suffix}`,
                tooltip: `Not recording: the codetape collector is unreachable${shown.detail ? ` (${shown.detail})` : ''}.`
                    + ' The bridge keeps what it can in memory and retries.' + uploadLine,
                warning: true,
            };
        case 'stopped':
            return {
                text: `$(debug-stop) codetape: stopped by you${suffix}`,
                tooltip: 'Not recording: you stopped it with `codetape collector stop`.'
                    + ' Run `codetape resume` to record again.' + uploadLine,
                warning: false,
            };
        case 'bridge_down':
            return {
                text: '$(warning) codetape: not recording',
                tooltip: `Not recording: ${shown.detail}.`,
                warning: true,
            };
        case 'starting':
            return { text: '$(sync~spin) codetape: connecting', tooltip: 'Starting the codetape bridge.', warning: false };
    }
}

export interface MenuItem {
    label: string;
    command: string;
}

/** What clicking the status bar item offers in this state. */
export function menuItems(shown: Shown): MenuItem[] {
    const item = (label: string, command: string): MenuItem => ({ label, command });
    const episodes = [
        item('$(checklist) Review an episode…', COMMANDS.review),
        item('$(file-code) Open the report of the last episode', COMMANDS.openReport),
    ];
    switch (shown.state) {
        case 'recording':
        case 'paused':
            return [
                shown.state === 'recording'
                    ? item('$(debug-pause) Pause recording', COMMANDS.pause)
                    : item('$(debug-start) Resume recording', COMMANDS.resume),
                item('$(play) Start a task…', COMMANDS.taskStart),
                item('$(pass) Finish the task…', COMMANDS.taskDone),
                item('$(note) Add a note…', COMMANDS.note),
                item('$(lock) Seal the episode now', COMMANDS.seal),
                ...episodes,
            ];
        case 'not_opted_in':
            return [item('$(add) Opt this workspace in (codetape init)', COMMANDS.optIn), ...episodes];
        case 'not_recording':
        case 'stopped':
            return episodes;
        case 'collector_down':
        case 'bridge_down':
        case 'starting':
            return [item('$(debug-restart) Restart the bridge', COMMANDS.restart), ...episodes];
    }
}
