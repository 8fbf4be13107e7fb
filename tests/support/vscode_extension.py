"""The VS Code extension (editor_extensions/vscode) as the tests build it.

`tsc -p .` writes the extension's `out/` in place, file by file, and both node's test runner (`npm test`)
and vsce (packaging the .vsix) read it: a test reading `out/` while another xdist worker compiles reads
half-written files. So every use of `out/` holds one lock across processes, and the .vsix is packaged
once per test run and shared by the modules that install it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from collector.atomic import locked

EXTENSION = Path(__file__).resolve().parents[2] / "editor_extensions" / "vscode"
NODE_MODULES = EXTENSION / "node_modules"


@contextmanager
def out_locked() -> Iterator[None]:
    """Hold the extension's `out/` for this process: nothing else compiles into it or reads it meanwhile."""
    if not all((NODE_MODULES / ".bin" / name).exists() for name in ("tsc", "vsce", "esbuild")):
        pytest.fail("the VS Code extension's packages are missing: run scripts/setup")
    with locked(NODE_MODULES / "codetape-tests-out"):
        yield


def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension built and packaged from the current sources, as `npm run package` does: once per
    test run (the xdist workers share their base folder's parent)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    vsix = shared / "codetape.vsix"
    with out_locked():
        if vsix.exists():
            return vsix
        tsc = NODE_MODULES / ".bin" / "tsc"
        subprocess.run([str(tsc), "-p", "."], cwd=EXTENSION, check=True, timeout=300)
        # bundled by esbuild into out/extension.js, as package.json's `bundle` script does it
        subprocess.run(["npm", "run", "-s", "bundle"], cwd=EXTENSION, check=True, timeout=300,
                       capture_output=True)
        partial = shared / "codetape.vsix.partial.vsix"
        # no repository yet: the project names none, and a made-up URL would be a promise without the thing
        subprocess.run([str(NODE_MODULES / ".bin" / "vsce"), "package", "--no-dependencies",
                        "--allow-missing-repository", "-o", str(partial)],
                       cwd=EXTENSION, check=True, timeout=300, capture_output=True)
        partial.replace(vsix)
    return vsix
