"""A command is shown at its start and the test runs in its span under it, in `replay --plain`, the
player's event pane, the review's Timeline and the report's step list (issue 97, item 3): the shell stamps
a command when the whole command line ends, pytest's plugin its test run when pytest ends, so the episode
holds the test run first. Checked over generated episodes: commands of any length, test runs and notes
in and out of their spans."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.replay.command_order import started
from collector.replay.plain import plain_lines
from collector.replay.render import event_view
from collector.replay.seek import Index
from collector.report.rows import Rows
from collector.review.timeline import Timeline
from schemas import Step, step_from_dict
from tests.fixtures.replay.episodes import BUGFIX_HEADER, write_chunked


def make(kind: str, t_ms: int, **fields: object) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "cli", **fields})


def generated(seed: int) -> list[Step]:
    """Steps in time order: notes, test runs, and commands whose spans hold some of them."""
    rng = random.Random(seed)
    steps: list[Step] = []
    now = 0
    for n in range(rng.randint(3, 12)):
        now += rng.randint(0, 400)
        choice = rng.random()
        if choice < 0.3:
            steps.append(make("note", now, text=f"note {n}"))
        elif choice < 0.6:
            steps.append(make("test_run", now, tests=[{"nodeid": f"t.py::t{n}", "outcome": "passed"}]))
        else:
            steps.append(make("command", now, command_line=f"cmd {n}", exit_code=0,
                              duration_ms=rng.randint(0, 1500)))
    return steps


def expected(steps: list[Step]) -> list[tuple[int, bool]]:
    """(step number, shown under a command) in the order shown, worked out from the spans directly."""
    shown: list[tuple[int, bool]] = []
    for index, step in enumerate(steps):
        if step.kind != "command":
            shown.append((index, False))
            continue
        at = len(shown)
        while at and started(steps[shown[at - 1][0]]) > started(step):
            at -= 1
        moved = [(number, under or steps[number].kind == "test_run") for number, under in shown[at:]]
        shown[at:] = [(index, False), *moved]
    return shown


def test_pytest_then_date_shows_the_command_first_with_its_test_run_under_it(tmp_path: Path) -> None:
    steps = [make("note", 0, text="go"),
             make("test_run", 2_400, tests=[{"nodeid": "t.py::t", "outcome": "passed"}], duration_ms=2_100),
             make("command", 2_410, command_line="python -m pytest -q; date", exit_code=0, duration_ms=2_300)]
    write_chunked(tmp_path / "e.ctape", BUGFIX_HEADER, steps, 2)
    lines = list(plain_lines(open_episode(tmp_path / "e.ctape")))
    assert lines[1].startswith("2  0:00:00.110  command ") and "python -m pytest -q; date" in lines[1]
    assert lines[2].startswith("1  0:00:02.400    test_run ")
    timeline = Timeline()
    for step in steps:
        timeline.add(step)
    assert [(row.first, row.t_ms, row.end_ms, row.under) for row in timeline.rows] == [
        (0, 0, 0, False), (2, 110, 2_410, False), (1, 2_400, 2_400, True)]
    events = Index.build(open_episode(tmp_path / "e.ctape")).events_until(2, 10)  # the player's event pane
    assert [(event.index, event.t_ms, event.under) for event in events] == [
        (0, 0, False), (2, 110, False), (1, 2_400, True)]
    assert [line[:14] for line in event_view(events, 2, 80).plain.split("\n")] == [
        "0:00:00 note  ", "0:00:00 cmd   ", "0:00:02   test"]
    kinds = [step.kind for step in open_episode(tmp_path / "e.ctape").steps()]
    assert kinds == ["note", "test_run", "command"]  # the episode's order is unchanged


@pytest.mark.parametrize("seed", range(40))
def test_every_view_shows_commands_at_their_start(tmp_path: Path, seed: int) -> None:
    steps = generated(seed)
    want = expected(steps)
    write_chunked(tmp_path / "g.ctape", BUGFIX_HEADER, steps, 3)
    log = plain_lines(open_episode(tmp_path / "g.ctape"))
    parsed = [re.match(r" *(\d+)  \S+  (  )?", line) for line in log]
    plain = [(int(match[1]), match[2] is not None) for match in parsed if match is not None]
    timeline, rows = Timeline(), Rows()
    for index, step in enumerate(steps):
        timeline.add(step)
        rows.add(index, step)
    rows.close()
    player = Index.build(open_episode(tmp_path / "g.ctape")).events_until(len(steps) - 1, len(steps))
    assert plain == want
    assert [(event.index, event.under) for event in player] == want
    assert [(row.first, row.under) for row in timeline.rows] == want
    assert [(row.first, row.under) for row in rows.rows] == want
    times = [row.t_ms for row in rows.rows]
    assert times == sorted(times)  # shown in time order, each command at its start
