"""The notes a pytest leaves for a test run it could not hand over, and the `gap` each becomes."""

from __future__ import annotations

import json
from pathlib import Path

from collector.daemon.lost_runs import LOST_FOLDER, LostRun, gap_step, take_lost
from schemas.steps import GapStep, step_from_dict


def test_notes_are_taken_once_oldest_first_and_a_bad_one_is_dropped(tmp_path: Path) -> None:
    lost = tmp_path / LOST_FOLDER
    lost.mkdir()
    (lost / "b.json").write_text(json.dumps({"workspace": "/w", "at": 2000, "tests": 2}))
    (lost / "a.json").write_text(json.dumps({"workspace": "/v", "at": 3000}))
    (lost / "c.json").write_text("not json")
    (lost / "d.json").write_text(json.dumps({"workspace": "relative", "at": 1}))
    (lost / ".e").write_text("being written")
    assert take_lost(tmp_path) == [LostRun(Path("/w"), 2000, 2), LostRun(Path("/v"), 3000, 0)]
    assert [p.name for p in lost.iterdir()] == [".e"]
    assert take_lost(tmp_path) == []
    assert take_lost(tmp_path / "nowhere") == []


def test_the_gap_says_how_long_ago_not_when() -> None:
    step = gap_step(LostRun(Path("/w"), 10_000, 2), 13_500)
    assert (step["reason"], step["lost_steps"], step["source"]) == ("collector_unreachable", 1, "pytest")
    assert step["detail"].startswith("a pytest run (2 tests) that ended 3 s ago was not recorded")
    assert isinstance(step_from_dict({**step, "t_ms": 0}), GapStep)
