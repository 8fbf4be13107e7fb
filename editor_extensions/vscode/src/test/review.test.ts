import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../common/cli';
import { fileGlob, pagePolicy, parseDrop, reviewPage, signArgs, TrimPlan, withNonce } from '../common/review';
import { FIXTURE_EPISODE, VENV_PYTHON, scratch } from './helpers';

const launcher = { command: VENV_PYTHON, args: ['-m', 'collector'], from: 'setting' as const };
const NONCE = 'AAAAbbbbCCCCdddd0123+/==';
let report = '';

before(async () => {
    const out = path.join(scratch('codetape-report-'), 'r.html');
    const ran = await runCli(launcher, ['report', FIXTURE_EPISODE, '-o', out]);
    assert.equal(ran.code, 0, ran.stderr);
    report = readFileSync(out, 'utf8');
});

test("the page keeps the report's policy and adds only the bar's nonce", () => {
    const page = reviewPage(report, { nonce: NONCE, style: '#b{}', script: 'void 0;', episode: 'e<1>', actions: true });
    assert.equal(page.match(/http-equiv="Content-Security-Policy"/g)?.length, 1);
    const policies = [pagePolicy(page)!];
    const original = pagePolicy(report)!;
    assert.match(original, /^default-src 'none'; /);
    assert.equal(policies[0], withNonce(original, NONCE));
    for (const directive of ['script-src', 'style-src']) {
        const [mine] = policies[0].split('; ').filter((d) => d.startsWith(directive));
        assert.match(mine, new RegExp(`'nonce-${NONCE.replace(/[+/]/g, '\\$&')}'`));
        assert.match(mine, /'sha256-/); // the report's own block, still allowed by its hash
    }
    assert.match(policies[0], /default-src 'none'/);
    assert.ok(page.includes(`<script nonce="${NONCE}">void 0;</script></body>`));
    assert.ok(page.includes(`<style nonce="${NONCE}">#b{}</style></head>`));
    assert.ok(page.includes('episode e&#60;1&#62;'));
    for (const action of ['sign', 'exclude', 'drop', 'discard']) {
        assert.ok(page.includes(`data-codetape-action="${action}"`), action);
    }
    const readOnly = reviewPage(report, { nonce: NONCE, style: '', script: '', episode: 'e', actions: false });
    assert.ok(!readOnly.includes('data-codetape-action'));
});

test('a page without a policy, or a weak nonce, is refused', () => {
    assert.throws(() => reviewPage('<html><body></body></html>', { nonce: NONCE, style: '', script: '', episode: 'e', actions: true }),
        /no Content-Security-Policy/);
    assert.throws(() => reviewPage(report, { nonce: 'abc', style: '', script: '', episode: 'e', actions: true }), /nonce/);
});

test('a policy without script-src gets one with the nonce only', () => {
    assert.equal(withNonce("default-src 'none'", NONCE), `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'`);
});

test('drops are FROM:TO milliseconds; the plan becomes sign arguments', () => {
    assert.deepEqual(parseDrop(' 60000 : 90000 '), [60000, 90000]);
    assert.equal(typeof parseDrop('90000:60000'), 'string');
    assert.equal(typeof parseDrop('1m:2m'), 'string');
    const plan = new TrimPlan();
    plan.exclude(fileGlob('notes/[draft]*.md'));
    plan.exclude(fileGlob('notes/[draft]*.md'));
    plan.drop([0, 5]);
    assert.deepEqual(plan.lines(), ['exclude /notes/\\[draft\\]\\*.md', 'drop 0:5 ms']);
    assert.deepEqual(signArgs('e1', plan, true),
        ['sign', 'e1', '--yes', '--exclude', '/notes/\\[draft\\]\\*.md', '--drop', '0:5', '--passphrase-file', '-']);
    assert.deepEqual(signArgs('e1', new TrimPlan(), false), ['sign', 'e1', '--yes']);
});
