"""What a seal-ahead process leaves half written, found by its pid: what it removes itself when it is
stopped, and what the collector removes after a process it gave up (collector/seal/ahead.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector.atomic import atomic_file
from collector.seal.ahead import remove_temporary
from collector.seal.summaries import SUFFIX


def test_its_temporary_episode_and_summary_go_and_nothing_else(tmp_path: Path) -> None:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    journal = tmp_path / "journals" / "e1.journal"
    kept = [episodes / "e1.ctape.tmp", episodes / f".e1.ctape.{os.getpid() + 1}.0a1b2c3d.tmp",
            episodes / f".e2.ctape.{os.getpid()}.0a1b2c3d.tmp", episodes / "e0.ctape"]
    for path in kept:
        path.write_bytes(b"another writer's")
    with pytest.raises(FileNotFoundError), atomic_file(episodes / "e1.ctape") as episode, \
            atomic_file(episodes / f"e1{SUFFIX}") as summary:  # named as the process names them
        remove_temporary(episodes, journal, os.getpid())
        assert not episode.path.exists() and not summary.path.exists()
    assert sorted(episodes.iterdir()) == sorted(kept)


def test_an_episodes_folder_not_made_yet_is_fine(tmp_path: Path) -> None:
    remove_temporary(tmp_path / "episodes", tmp_path / "e1.journal", os.getpid())
