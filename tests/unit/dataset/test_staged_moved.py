"""A staged export file with no split to put in is moved into OUT, not copied (staged.moved): the same
bytes, private, the staged file gone; across file systems nothing is done and publish copies it."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from collector.dataset.output.staged import moved


def test_a_file_on_the_same_file_system_is_moved_whole_and_private(tmp_path: Path) -> None:
    staged = tmp_path / "scratch" / "e.atif.json"
    staged.parent.mkdir()
    staged.write_bytes(b'{"steps":[]}\n')
    target = tmp_path / "out" / "exports" / "atif" / "key" / "e.atif.json"
    assert moved(str(staged), target)
    assert target.read_bytes() == b'{"steps":[]}\n' and not staged.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_across_file_systems_nothing_is_moved(tmp_path: Path) -> None:
    other = Path("/dev/shm")
    if not other.is_dir() or other.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system here (/dev/shm)")
    staged = tmp_path / "e.jsonl"
    staged.write_bytes(b"{}\n")
    with tempfile.TemporaryDirectory(dir=other) as elsewhere:
        target = Path(elsewhere) / "exports" / "e.jsonl"
        assert not moved(str(staged), target)
        assert not target.exists() and staged.read_bytes() == b"{}\n"
    assert os.path.exists(staged)
