"""The VS Code extension's own unit tests (TypeScript, Node's test runner), run with the rest: `npm test`
in editor_extensions/vscode compiles the extension with tsc and runs out/test/ against this virtualenv's
codetape."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[3] / "editor_extensions" / "vscode"


def test_the_extensions_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None or not (EXTENSION / "node_modules" / ".bin" / "tsc").exists():
        pytest.fail("the VS Code extension's packages are missing: run scripts/setup")
    done = subprocess.run([npm, "test", "--silent"], cwd=EXTENSION, capture_output=True, text=True,
                          timeout=600,
                          env=os.environ | {"CODETAPE_PYTHON": sys.executable})
    assert done.returncode == 0, (done.stdout[-4000:], done.stderr[-2000:])
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", done.stdout, re.M)
    assert passed and failed and int(passed[1]) >= 20 and failed[1] == "0", done.stdout[-2000:]
