"""`codetape replay --plain`: one line per step, held to golden files for the golden episodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.errors import ReconstructionError, UsageError
from collector.replay.moment import parse_moment
from collector.replay.plain import plain_lines
from schemas import step_from_dict
from tests.fixtures.make_golden import DIRECTORY, GOLDEN
from tests.fixtures.replay.episodes import BUGFIX_HEADER, write_chunked
from tests.fixtures.replay.make_replay_golden import DIRECTORY as REPLAY
from tests.fixtures.replay.make_replay_golden import plain

REGENERATE = "regenerate with `.venv/bin/python -m tests.fixtures.replay.make_replay_golden`, review, commit"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_plain_log_of_each_golden_episode(name: str) -> None:
    expected = (REPLAY / f"{name}.plain.txt").read_text(encoding="utf-8")
    assert plain(name) == expected, REGENERATE
    assert len(expected.splitlines()) == len(GOLDEN[name][1])  # one line per step


def test_the_golden_logs_say_what_the_issue_asks_for() -> None:
    full = (REPLAY / "full.plain.txt").read_text(encoding="utf-8").splitlines()
    assert full[3] == " 3  0:00:03.095  edit         src/pager.py              -4 chars"
    # a command at its start, the test run in its span under it (the episode holds it first)
    assert full[10] == " 9  0:00:15.420    test_run                             1 passed 1 skipped"
    assert full[11].endswith('commit 3e1f0a9 "pager: keep the last page" (2 files)')
    assert full[4].endswith("1 warning (pyflakes): missing docstring")
    assert full[9] == ('10  0:00:14.496  command                                "make lint" in src exit 2 '
                       "after 1.5 s")


def lines(name: str, start: str | None, stop: str | None) -> list[str]:
    episode = open_episode(DIRECTORY / f"{name}.ctape")
    return list(plain_lines(episode, None if start is None else parse_moment(start),
                            None if stop is None else parse_moment(stop)))


def test_from_and_to_take_steps_and_times() -> None:
    every = lines("full", None, None)
    assert lines("full", "3", "5") == every[3:6]
    assert lines("full", "10s", "21s") == every[7:12]  # the first step at 10 s or later .. the last at 21 s
    assert lines("full", "0:42", None) == every[16:]
    assert lines("full", "end", None) == every[-1:]
    assert lines("full", "start", "0") == every[:1]
    assert lines("full", None, "end") == every


def test_a_window_without_steps_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^--from 21 is past the last step \(0 to 20\)$"):
        lines("full", "21", None)
    with pytest.raises(UsageError, match=r"^no step between --from 5s and --to 5s$"):
        lines("full", "5s", "5s")
    with pytest.raises(UsageError, match="--to start leaves no step"):
        lines("full", None, "start")


def test_a_step_that_does_not_replay_stops_the_log_with_its_number(tmp_path: Path) -> None:
    steps = [step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "n"}),
             step_from_dict({"kind": "edit", "t_ms": 5, "source": "bridge", "path": "a.py",
                             "changes": [{"text": "x"}]})]
    write_chunked(tmp_path / "bad.ctape", BUGFIX_HEADER, steps, 1)
    shown = []
    with pytest.raises(ReconstructionError, match=r"^step 1: edit at 5 ms to a\.py"):
        for line in plain_lines(open_episode(tmp_path / "bad.ctape")):
            shown.append(line)
    assert shown == ["0  0:00:00.000  note                                   n"]
