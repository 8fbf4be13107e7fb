"""The README's main job, `codetape demo`, run for real with both editors it can drive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("editor", ["typist", "nvim"])
def test_demo_records_a_whole_session(editor: str, tmp_path: Path) -> None:
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("CODETAPE_HOME", None)
    command = [sys.executable, "-m", "collector", "demo", "--editor", editor, "--dir", str(tmp_path)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout
    for expected in ("edit", "save", "git", "test_run", "calc.py"):
        assert expected in summary, summary
    assert list((tmp_path / "home" / "episodes").glob("*.ctape"))
