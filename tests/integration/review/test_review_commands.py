"""The review of an episode it would sign unlinkably (issue 94, item 2), driven by Textual's Pilot: the
Summary lists each command as typed beside its shape, `w` on a command's Timeline row keeps it whole and
the Summary then says what that exposes, and the signed episode holds that command as typed and the other
shaped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from collector.consent.authorisation import Authorisation
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch
from collector.consent.unlinkable import epoch_of
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from collector.review.dialogs import SignScreen
from collector.review.session import ReviewSession
from schemas import steps as kinds
from tests.integration.review.test_review_app import SIZE, Recorded, settle
from tests.unit.review.test_trim import APP, HEADER, write

KEPT = "pytest tests/unit/test_wombat.py -k quokka"
SHAPED = "make -j8 build-numbat"
STEPS: list[dict[str, Any]] = [
    {"kind": "open", "t_ms": 0, "source": "bridge", "path": "app.py", "text": APP},
    {"kind": "command", "t_ms": 1000, "source": "shell", "command_line": SHAPED, "exit_code": 0},
    {"kind": "command", "t_ms": 2000, "source": "shell", "command_line": KEPT, "exit_code": 0},
]


def enrolled(tmp_path: Path) -> Home:
    """A home signing unlinkably, with one episode key (no issuer is asked: the key is stored)."""
    home = Home(tmp_path / "home")
    seed, public = new_key_pair()
    store_batch(home, [EpisodeKey(public, seed, Authorisation("0123456789abcdef", epoch_of(utc_now()),
                                                              os.urandom(32), os.urandom(384)))])
    home.config.write_text('[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    return home


def summary_lines(session: ReviewSession) -> list[str]:
    return [line for line in session.summary.unlinkable if "command" in line or "kept whole" in line
            or "->" in line]


async def test_the_review_shows_both_forms_keeps_one_whole_and_signs_it_so(tmp_path: Path) -> None:
    home = enrolled(tmp_path)
    episode = write(home.ensure(home.episodes) / f"{HEADER.episode_id}.ctape", STEPS)
    session = ReviewSession(episode, home)
    assert summary_lines(session)[1:] == [
        "unlinkable    make -j8 build-numbat  ->  make -j«number:1» «word»",
        "unlinkable    pytest tests/unit/test_wombat.py -k quokka  ->  "
        "pytest tests/«dir»/test_«name».py -k «word»"]
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        table = app.query_one("#timeline-table", DataTable)
        table.move_cursor(row=2)
        await pilot.pause()
        await pilot.press("w")
        await settle(app, pilot)
        assert session.plan.whole == (KEPT,), app.said
        lines = summary_lines(session)
        assert lines[0].startswith("unlinkable  commands shaped: 1 of 2 keep their program"), lines
        assert lines[1] == (f"unlinkable  kept whole: {KEPT}: its arguments go as you typed them, and a log "
                            "that records each command line with who ran it can name you by it on its day")
        await pilot.press("w")  # the same command again: refused, the plan as it was
        await settle(app, pilot)
        assert session.plan.whole == (KEPT,) and any("kept whole already" in said for said in app.said)
        await pilot.press("s")
        assert isinstance(app.screen, SignScreen)
        await pilot.press("enter")
        await settle(app, pilot)
    commands = [step for step in open_episode(home.outbox / episode.name).steps()
                if isinstance(step, kinds.CommandStep)]
    assert [step.command_line for step in commands] == ["make -j«number:1» «word»", KEPT]
    session.close()
