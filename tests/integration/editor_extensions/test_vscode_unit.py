"""The VS Code extension's own unit tests (TypeScript, Node's test runner), run with the rest: `npm test`
in editor_extensions/vscode compiles the extension with tsc and runs out/test/ against this virtualenv's
codetape."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.support.vscode_extension import EXTENSION, out_locked


def failures(tap: str) -> str:
    """The TAP report's failing tests, each with the details node printed for it."""
    blocks = re.split(r"^(?=# Subtest: )", tap, flags=re.M)
    return "\n".join(block for block in blocks if re.search(r"^\s*not ok ", block, re.M))


def test_the_extensions_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: run scripts/setup")
    with out_locked():  # `npm test` compiles into out/, which the .vsix of the e2e tests is packaged from
        done = subprocess.run([npm, "test", "--silent"], cwd=EXTENSION, capture_output=True, text=True,
                              timeout=600, env=os.environ | {"CODETAPE_PYTHON": sys.executable})
    if done.returncode != 0:  # (pytest.fail: an assertion's message would be cut short)
        report = failures(done.stdout) or done.stdout[-4000:]
        pytest.fail(f"npm test failed:\n{report}\n{done.stderr[-2000:]}")
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", done.stdout, re.M)
    assert passed and failed and int(passed[1]) >= 20 and failed[1] == "0", done.stdout[-2000:]
