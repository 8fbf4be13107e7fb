// The review in a webview: the episode's HTML report with a bar of actions above it, and the trim plan
// the actions build. Signing runs `codetape sign EPISODE --yes [--exclude GLOB] [--drop FROM:TO]`, the
// scriptable form of the terminal review's sign-off; discarding runs `codetape discard EPISODE`.
// The page keeps the report's Content-Security-Policy (its style and script allowed by hash, nothing
// else) and only adds a nonce for the bar's own style and script.

export type Drop = [number, number];

/** "FROM_MS:TO_MS" as a range, or why it is not one. */
export function parseDrop(text: string): Drop | string {
    const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
    if (!match) {
        return 'write FROM_MS:TO_MS, milliseconds from the start, e.g. 60000:90000';
    }
    const [from, to] = [Number(match[1]), Number(match[2])];
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) {
        return 'FROM_MS must not be after TO_MS';
    }
    return [from, to];
}

export class TrimPlan {
    readonly excludes: string[] = [];
    readonly drops: Drop[] = [];

    exclude(glob: string): void {
        if (glob && !this.excludes.includes(glob)) {
            this.excludes.push(glob);
        }
    }

    drop(range: Drop): void {
        if (!this.drops.some(([a, b]) => a === range[0] && b === range[1])) {
            this.drops.push(range);
        }
    }

    lines(): string[] {
        return [
            ...this.excludes.map((glob) => `exclude ${glob}`),
            ...this.drops.map(([a, b]) => `drop ${a}:${b} ms`),
        ];
    }
}

/** A file of the episode as a gitignore-style glob that names exactly it. */
export function fileGlob(relpath: string): string {
    return '/' + relpath.replace(/[\\*?[\]!]/g, (c) => `\\${c}`);
}

export function signArgs(episode: string, plan: TrimPlan, passphraseOnStdin: boolean): string[] {
    const args = ['sign', episode, '--yes'];
    for (const glob of plan.excludes) {
        args.push('--exclude', glob);
    }
    for (const [a, b] of plan.drops) {
        args.push('--drop', `${a}:${b}`);
    }
    if (passphraseOnStdin) {
        args.push('--passphrase-file', '-');
    }
    return args;
}

const CSP_META = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/i;

/** The report's policy with `'nonce-N'` added to its script and style sources. */
export function withNonce(policy: string, nonce: string): string {
    const directives = policy.split(';').map((d) => d.trim()).filter(Boolean);
    const source = `'nonce-${nonce}'`;
    for (const name of ['script-src', 'style-src']) {
        const index = directives.findIndex((d) => d.split(/\s+/)[0] === name);
        if (index >= 0) {
            directives[index] = `${directives[index]} ${source}`;
        } else {
            directives.push(`${name} ${source}`);
        }
    }
    return directives.join('; ');
}

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An attribute value's text (the report's template escapes quotes in its policy as `&#39;`). */
function unescapeHtml(text: string): string {
    return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
        if (name[0] === '#') {
            const code = name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
            return String.fromCodePoint(code);
        }
        return ENTITIES[name.toLowerCase()] ?? entity;
    });
}

/** The Content-Security-Policy a page states in its meta element, if any. */
export function pagePolicy(page: string): string | undefined {
    const meta = CSP_META.exec(page);
    return meta ? unescapeHtml(meta[1]) : undefined;
}

export interface PageParts {
    nonce: string;
    style: string;
    script: string;
    episode: string;
    actions: boolean;
}

/** The webview's page: the report, its policy plus the nonce, and the bar. Throws without a policy. */
export function reviewPage(report: string, parts: PageParts): string {
    const original = pagePolicy(report);
    if (original === undefined) {
        throw new Error('the report has no Content-Security-Policy; refusing to show it');
    }
    if (!/^[A-Za-z0-9+/=]{16,}$/.test(parts.nonce)) {
        throw new Error('a nonce must be at least 16 base64 characters');
    }
    const policy = `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(withNonce(original, parts.nonce))}">`;
    const buttons = parts.actions
        ? ['sign:Sign &amp; upload', 'exclude:Exclude a file', 'drop:Drop a range', 'discard:Discard']
            .map((pair) => pair.split(':'))
            .map(([action, label]) => `<button type="button" data-codetape-action="${action}">${label}</button>`)
            .join('')
        : '';
    const bar = `<div id="codetape-review-bar" role="toolbar" aria-label="codetape review">`
        + `<strong>codetape · episode ${escapeHtml(parts.episode)}</strong>${buttons}`
        + `<ul id="codetape-review-plan"></ul><p id="codetape-review-said" role="status"></p></div>`;
    return report
        .replace(CSP_META, () => policy)
        .replace(/<\/head>/i, () => `<style nonce="${parts.nonce}">${parts.style}</style></head>`)
        .replace(/<body([^>]*)>/i, (body) => body + bar)
        .replace(/<\/body>(?![\s\S]*<\/body>)/i, () => `<script nonce="${parts.nonce}">${parts.script}</script></body>`);
}
