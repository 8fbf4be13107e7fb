"""The opted-in workspace found from a path spelt with other cases, where the file system ignores case.

Linux's file systems here tell cases apart, so the same directory under another spelling is made with a
bind mount (root only): to `find_workspace` it is what `~/PROJ` is to `~/proj` on macOS's APFS."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from collector.home import Home
from collector.workspace.find import find_workspace
from tests.cli import codetape


def test_a_folder_spelt_with_other_cases_is_another_folder_where_case_counts(tmp_path: Path) -> None:
    home, ws = tmp_path / "h", tmp_path / "proj"
    ws.mkdir()
    assert codetape(home, "init", str(ws)).returncode == 0
    (tmp_path / "PROJ").mkdir()
    assert find_workspace(ws / "a.py", Home(home)) == ws.resolve()
    assert find_workspace(tmp_path / "PROJ" / "a.py", Home(home)) is None


@pytest.mark.skipif(os.getuid() != 0, reason="only root can bind-mount a folder under another spelling")
def test_the_same_folder_spelt_with_other_cases_is_the_workspace_spelt_as_registered(tmp_path: Path) -> None:
    home, ws, spelt = tmp_path / "h", tmp_path / "proj", tmp_path / "PROJ"
    ws.mkdir()
    spelt.mkdir()
    assert codetape(home, "init", str(ws)).returncode == 0
    mounted = subprocess.run(["mount", "--bind", str(ws), str(spelt)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"mount --bind refused: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        assert find_workspace(spelt / "a.py", Home(home)) == ws.resolve()
    finally:
        subprocess.run(["umount", str(spelt)], check=True)
