"""A 100,000-step episode from the session generator (tests/support/replay_probe.py): seeking anywhere
takes under a second (of CPU, so a busy machine does not decide it), and the player plays it all through
without growing memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.replay_probe import SAMPLE_EVERY, long_episode

pytestmark = pytest.mark.eval
GROWTH_MIB = 16  # the workspace itself grows as files are typed; keeping every step would take ~300 MiB


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "long.ctape"
    long_episode(path)
    return path


def child(*args: str) -> dict[str, Any]:
    """A replay_probe measure in a fresh process (it measures the process it runs in)."""
    done = subprocess.run([sys.executable, "-m", "tests.support.replay_probe", *args], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_seeking_anywhere_takes_under_a_second(episode: Path) -> None:
    result = child("seek", str(episode), "60")
    assert result["chunks"] >= 12
    cpu = [seconds for _, seconds in result["random"] + result["worst"]]
    assert max(cpu) < 1.0, sorted(cpu)[-5:]


def test_playing_a_long_episode_through_does_not_grow_memory(episode: Path) -> None:
    result = child("play", str(episode))
    assert result["steps"] == 100_000
    later = [rss for position, rss in result["samples"] if position >= SAMPLE_EVERY]
    assert len(later) >= 9
    assert max(later) - min(later) < GROWTH_MIB, result["samples"]
