import { strict as assert } from 'node:assert';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { confirmedRoot, inside, optedInRoot, recordedEdits, recordedUri, selectors } from '../common/workspace';
import { scratch } from './helpers';

test('a folder is opted in by a .codetape.toml in it or above it', () => {
    const top = scratch('codetape-ws-');
    const deep = path.join(top, 'src', 'pkg');
    mkdirSync(deep, { recursive: true });
    assert.equal(optedInRoot(deep), undefined);
    mkdirSync(path.join(top, 'src', '.codetape.toml')); // a directory is not the settings file
    assert.equal(optedInRoot(deep), undefined);
    writeFileSync(path.join(top, '.codetape.toml'), '');
    assert.equal(optedInRoot(deep), top);
    assert.equal(optedInRoot(top), top);
});

test('inside means at or below the root', () => {
    assert.equal(inside('/w/app', '/w/app/src/a.py'), true);
    assert.equal(inside('/w/app', '/w/app'), true);
    assert.equal(inside('/w/app', '/w/apple/a.py'), false);
    assert.equal(inside('/w/app', '/w/a.py'), false);
});

test('a document is recorded when it is a file inside an opted-in root', () => {
    assert.equal(recordedUri(['/w/app'], { scheme: 'file', fsPath: '/w/app/src/a.py' }), true);
    assert.equal(recordedUri(['/w/app'], { scheme: 'file', fsPath: '/w/apple/a.py' }), false);
    assert.equal(recordedUri(['/w/app'], { scheme: 'untitled', fsPath: '/w/app/a.py' }), false);
    assert.equal(recordedUri([], { scheme: 'file', fsPath: '/w/app/a.py' }), false);
});

test('document selectors take every file of each root, glob characters in names escaped', () => {
    assert.deepEqual(selectors(['/w/app', '/w/x[1]{a}']), [
        { scheme: 'file', pattern: '/w/app/**' }, { scheme: 'file', pattern: '/w/x[[]1[]][{]a[}]/**' }]);
});

test('the workspace codetape confirms is the nearest one above the folder, spelled as the folder is', () => {
    const top = realpathSync(scratch('codetape-ws-'));
    const inner = path.join(top, 'inner');
    mkdirSync(path.join(inner, 'src'), { recursive: true });
    const link = path.join(top, 'link');
    symlinkSync(inner, link);
    assert.equal(confirmedRoot(path.join(inner, 'src'), new Set()), undefined);
    assert.equal(confirmedRoot(path.join(inner, 'src'), new Set([top])), top);
    assert.equal(confirmedRoot(path.join(inner, 'src'), new Set([top, inner])), inner);
    assert.equal(confirmedRoot(path.join(link, 'src'), new Set([inner])), link);
});

test('a notebook cell has its edits recorded when its notebook is inside an opted-in root', () => {
    const cell = (fsPath: string) => ({ scheme: 'vscode-notebook-cell', fsPath });
    assert.equal(recordedEdits(['/w/app'], cell('/w/app/nb.ipynb')), true);
    assert.equal(recordedEdits(['/w/app'], cell('/w/apple/nb.ipynb')), false);
    assert.equal(recordedEdits(['/w/app'], { scheme: 'file', fsPath: '/w/app/a.py' }), true);
    assert.equal(recordedEdits(['/w/app'], { scheme: 'untitled', fsPath: '/w/app/a.py' }), false);
    assert.equal(recordedUri(['/w/app'], cell('/w/app/nb.ipynb')), false);  // (diagnostics, cursors: files only)
});
