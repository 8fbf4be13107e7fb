"""collector/held.py: what upload runs hold, kept per episode: a run that looked at some episodes replaces
only what the lists said of those, an episode that left is dropped from both, and the count is of episodes,
whichever the reason."""

from __future__ import annotations

import stat
from pathlib import Path

from collector.held import MEMBERS, PUSHED, count, drop, keep, read
from collector.home import Home


def test_a_run_replaces_only_what_it_looked_at(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    keep(home, PUSHED, [{"episode_id": "a", "files": ["x.py"]}, {"episode_id": "b", "files": []}], ["a", "b"])
    assert stat.S_IMODE((home.outbox / PUSHED).stat().st_mode) == 0o600
    written = (home.outbox / PUSHED).stat().st_ino
    keep(home, PUSHED, [{"episode_id": "b", "files": []}, {"episode_id": "a", "files": ["x.py"]}], ["a", "b"])
    keep(home, PUSHED, [{"episode_id": "b", "files": []}, {"episode_id": "a", "files": ["x.py"]}], ["a", "b"])
    rewritten = (home.outbox / PUSHED).stat().st_ino
    keep(home, PUSHED, [{"episode_id": "b", "files": []}, {"episode_id": "a", "files": ["x.py"]}], ["a", "b"])
    # the same list is not written again: the collector's background upload runs whenever the outbox changes
    assert written != rewritten == (home.outbox / PUSHED).stat().st_ino
    keep(home, PUSHED, [], ["a"])  # a run naming only `a`, which is no longer held
    assert [item["episode_id"] for item in read(home, PUSHED)] == ["b"]
    keep(home, MEMBERS, [{"episode_id": "b", "members": 2}, {"episode_id": "c", "members": 2}], ["b", "c"])
    assert count(home) == 2  # b held twice is one episode held
    drop(home, "b")
    assert read(home, PUSHED) == [] and not (home.outbox / PUSHED).exists()
    assert [item["episode_id"] for item in read(home, MEMBERS)] == ["c"]
    keep(home, MEMBERS, [], ["c"])
    assert count(home) == 0 and not (home.outbox / MEMBERS).exists()


def test_what_cannot_be_read_holds_nothing(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    home.ensure(home.outbox)
    (home.outbox / PUSHED).write_text('[{"episode_id": 3}, "x", {"episode_id": "d"}]')
    (home.outbox / MEMBERS).write_text("{not json")
    assert [item["episode_id"] for item in read(home, PUSHED)] == ["d"]
    assert read(home, MEMBERS) == [] and count(home) == 1
