"""The Textual player driven with Pilot: screens at chosen steps (golden), and every key."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from collector.episode import open_episode, write_episode_file
from collector.errors import ReconstructionError
from collector.replay.control import Playback
from collector.replay.player import ReplayApp
from collector.replay.seek import Index
from schemas import step_from_dict
from tests.fixtures.replay.episodes import BUGFIX_HEADER, write_bugfix
from tests.fixtures.replay.make_replay_golden import DIRECTORY, SCREEN_SIZE, SCREENS, screen_text, screens
from tests.waiting import wait_for_async

REGENERATE = "regenerate with `.venv/bin/python -m tests.fixtures.replay.make_replay_golden`, review, commit"
CASES = [(name, step) for name, steps in SCREENS.items() for step in steps]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_screens_at_chosen_steps(name: str) -> None:
    for step, text in (await screens(name, SCREENS[name])).items():
        assert text == (DIRECTORY / f"{name}.step{step}.screen.txt").read_text(encoding="utf-8"), \
            f"{name} step {step}: {REGENERATE}"


def test_the_golden_screens_show_what_the_issue_asks_for() -> None:
    edit = (DIRECTORY / "full.step3.screen.txt").read_text(encoding="utf-8")
    assert "─ src/pager.py ─" in edit and "│3       for start in range(0, len(items), size):" in edit
    assert " ❚❚ 1x  step 3/20  0:00:03.095 / 0:00:46.000  2026-03-14 09:26:56 UTC" in edit
    assert " edit src/pager.py  -4 chars" in edit
    # the caret line is highlighted, and the edit position (where " - 1" was) is in reverse video
    marks = edit.split("-- marks (R reverse, U underline, ~ caret line) --\n")[1].splitlines()
    assert len(marks) == 1 and marks[0].startswith(" 3 ") and marks[0].count("R") == 1
    row = edit.splitlines()[3]
    assert row[marks[0].index("R") - 3] == ","  # the cell right after "len(items)"
    end = (DIRECTORY / "full.step20.screen.txt").read_text(encoding="utf-8")
    # (the test run under the command whose span holds it, as replay --plain and the Timeline show it)
    for event in ("  test 1 passed 1 skipped", 'git    commit 3e1f0a9 "pager: kee', "note   off-by-one",
                  "cmd    \"make lint\" in src exit 2", "diag   pager.py 1 warning (pyflak"):
        assert event in end, event
    assert "─ src/pager.py (closed) ─" in end and " ■ 1x  step 20/20" in end


def bugfix_app(tmp_path: Path, clock: Clock, *, play: bool = False) -> ReplayApp:
    index = Index.build(open_episode(write_bugfix(tmp_path / "bugfix.ctape")))
    return ReplayApp(Playback(index, 0, index.count - 1, clock=clock), play=play, tz=UTC)


async def test_keys_step_seek_jump_and_change_speed(tmp_path: Path) -> None:
    app = bugfix_app(tmp_path, Clock())
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        playback = app.playback
        await pilot.press("f")
        assert playback.position == 2 and "next test failure" in screen_text(app)
        await pilot.press("f")
        assert playback.position == 19
        await pilot.press("F")
        assert playback.position == 2
        await pilot.press("c")
        assert playback.position == 11 and 'git commit a1b2c3d "calc: add() adds"' in screen_text(app)
        await pilot.press("m", "w")
        assert playback.position == 14 and "─ test_calc.py ─" in screen_text(app)
        await pilot.press("W", "M")
        assert playback.position == 0
        await pilot.press("full_stop", "full_stop", "comma")
        assert playback.position == 1
        await pilot.press("end")
        assert playback.position == 24
        await pilot.press("home", "right")
        assert playback.position == 2
        await pilot.press("shift+right")  # 4 s + 14.4 s
        assert playback.position == 19
        await pilot.press("left")  # 18 s - 5 s
        assert playback.position == 12
        await pilot.press("shift+left")
        assert playback.position == 0
        await pilot.press("plus", "plus", "minus")
        assert playback.speed == 2.0 and " 2x  step 0/24" in screen_text(app)
        await pilot.press("q")
    assert not app.is_running


async def test_space_plays_on_the_clock_and_pauses(tmp_path: Path) -> None:
    clock = Clock()
    app = bugfix_app(tmp_path, clock)
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        await pilot.press("space")
        assert app.playback.playing and " ▶ 1x  step 0/24" in screen_text(app)
        clock.now += 4.0
        await pilot.pause(0.2)  # the 30 Hz timer shows what is due: the open (0.5 s) and the test run (4 s)
        assert app.playback.position == 2
        assert "0:00:04 test   failed: test_add (1 of 2)" in screen_text(app)
        await pilot.press("space")
        clock.now += 100
        await pilot.pause(0.2)
        assert app.playback.position == 2 and " ❚❚ 1x  step 2/24" in screen_text(app)
        await pilot.press("q")


async def test_the_player_starts_playing_unless_told_otherwise(tmp_path: Path) -> None:
    clock = Clock()
    app = bugfix_app(tmp_path, clock, play=True)
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        clock.now += 1000
        await pilot.pause(0.3)
        assert app.playback.position == 24 and not app.playback.playing
        assert " ■ 1x  step 24/24" in screen_text(app) and "end: space plays again" in screen_text(app)


async def test_the_first_screen_comes_before_the_index_is_complete(tmp_path: Path) -> None:
    """Opened, not built: the player shows step 0 at once and the full pass fills the events in."""
    index = Index.open(open_episode(write_bugfix(tmp_path / "bugfix.ctape")))
    app = ReplayApp(Playback(index, 0, index.count - 1, clock=Clock()), play=False, tz=UTC)
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        assert " ❚❚ 1x  step 0/24" in screen_text(app)
        await wait_for_async(lambda: index.complete, what="the index's full pass")
        await pilot.pause()
        assert "─ events ─" in screen_text(app) and "indexing" not in screen_text(app)
        await pilot.press("f", "f")
        assert app.playback.position == 19
        await pilot.press("q")
    assert app.failure is None


async def test_a_step_that_does_not_replay_ends_the_player_and_says_why(tmp_path: Path) -> None:
    steps = [step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "n"}),
             step_from_dict({"kind": "edit", "t_ms": 5, "source": "bridge", "path": "a.py",
                             "changes": [{"text": "x"}]})]
    write_episode_file(tmp_path / "bad.ctape", BUGFIX_HEADER, steps)
    index = Index.open(open_episode(tmp_path / "bad.ctape"))
    app = ReplayApp(Playback(index, 0, index.count - 1, clock=Clock()), play=False, tz=UTC)
    async with app.run_test(size=SCREEN_SIZE):
        await wait_for_async(lambda: not app.is_running, what="the player to stop")
    assert isinstance(app.failure, ReconstructionError)
    assert str(app.failure).startswith("step 1: edit at 5 ms to a.py, which is not open")
