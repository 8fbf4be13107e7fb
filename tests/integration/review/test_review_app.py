"""The review app driven by Textual's Pilot: summary first, browse, exclude, drop, redact, undo, and the three
endings (sign and queue, keep with Ctrl-C, discard), on episodes in a real CODETAPE_HOME.
"""

from __future__ import annotations

import json
import re
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent, TextArea
from textual.widgets.text_area import Selection

from collector.consent import init_keys
from collector.consent.exclusions import exclusions_digest
from collector.consent.keys import load_private
from collector.consent.verify import check_consent
from collector.episode import open_episode
from collector.home import Home
from collector.replay.describe import clock
from collector.review.app import ReviewApp, ReviewOutcome
from collector.review.dialogs import ConfirmScreen, PromptScreen, SignScreen
from collector.review.session import ReviewSession
from collector.verify.integrity import verify_replay
from schemas import step_to_dict
from schemas.steps import GapStep
from tests.unit.review.test_trim import HEADER, PLAN_TEXT, two_files, write

SIZE = (150, 45)


class Recorded(ReviewApp):
    """The review app, keeping every notification it shows."""

    def __init__(self, session: ReviewSession) -> None:
        super().__init__(session)
        self.said: list[str] = []

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.said.append(message)
        super().notify(message, *args, **kwargs)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    init_keys(home)
    return home


@pytest.fixture
def episode(home: Home) -> Path:
    home.ensure(home.episodes)
    return write(home.episodes / f"{HEADER.episode_id}.ctape", two_files())


def text_of(app: ReviewApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def settle(app: ReviewApp, pilot: Any) -> None:
    """Until the worker has ended and the app has taken its result (an ending exits the app)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    while app.busy is not None and app.is_running:
        await pilot.pause()


async def choose_file(app: ReviewApp, pilot: Any, path: str) -> None:
    await pilot.press("3")
    table = app.query_one("#files-table", DataTable)
    keys = [row.value for row in table.rows]
    table.move_cursor(row=keys.index(path))
    await pilot.pause()


async def test_the_summary_comes_first_then_timeline_files_and_diff(home: Home, episode: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one("#tabs", TabbedContent).active == "summary"
        summary = text_of(app, "#summary-text")
        assert summary.startswith(f"episode     {HEADER.episode_id}")
        assert "files       6 touched" in summary and "purpose     (the policy names none)" in summary
        await pilot.press("2")
        table = app.query_one("#timeline-table", DataTable)
        assert app.focused is table and table.row_count == len(session.timeline.rows)
        assert [str(cell) for cell in table.get_row_at(2)][:3] == ["2-46", "0:00:00.200-0:00:00.410", "edit"]
        # the file pane shows the files after the step under the timeline's cursor
        table.move_cursor(row=2)
        await choose_file(app, pilot, "private/plan.md")
        assert app.query_one("#file-text", TextArea).text == PLAN_TEXT
        assert "private/plan.md  ·  after step 46" in text_of(app, "#file-title")
        await pilot.press("2")
        table.move_cursor(row=0)
        await choose_file(app, pilot, "private/plan.md")
        assert app.query_one("#file-text", TextArea).text == ""
        # the diff between two steps, as moments
        await pilot.press("4")
        assert app.focused is app.query_one("#diff-scroll")  # letters stay the review's keys
        await pilot.press("tab")
        assert app.focused is app.query_one("#diff-from", Input)
        app.query_one("#diff-from", Input).value = "1"
        app.query_one("#diff-to", Input).value = "0.5s"
        await pilot.press("enter")
        assert app.focused is app.query_one("#diff-scroll")
        diff = text_of(app, "#diff-text")
        assert "+++ b/private/plan.md" in diff and "+launch plan: codename BLUEHERON, budget 40k" in diff
        assert "app.py" not in diff
        app.query_one("#diff-from", Input).value = "later"
        app.query_one("#diff-from", Input).focus()
        await pilot.press("enter")
        wrong = "from 'later' is not a step (12), a time (90s, 2m, 1:30) or start/end"
        assert text_of(app, "#diff-text") == wrong
    session.close()


async def test_exclude_drop_redact_undo_then_sign_and_queue(home: Home, episode: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # exclude the private folder: the prompt offers the selected file, edited into its folder
        await choose_file(app, pilot, "private/plan.md")
        await pilot.press("x")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert prompt.query_one("#answer", Input).value == "/private/plan.md"
        prompt.query_one("#answer", Input).value = "/private/"
        await pilot.press("enter")
        await settle(app, pilot)
        assert session.plan.excludes == ("/private/",)
        assert "exclude /private/" in text_of(app, "#pending")
        files = app.query_one("#files-table", DataTable)
        assert "excluded:private/plan.md" in [row.value for row in files.rows]
        assert "BLUEHERON" not in json.dumps([step_to_dict(s) for s in open_episode(session.current).steps()])
        # drop a range: mark a row, move on, d offers the range from the mark to the cursor
        await pilot.press("2")
        table = app.query_one("#timeline-table", DataTable)
        rows = session.timeline.rows
        first = next(n for n, row in enumerate(rows) if row.kind == "command")
        table.move_cursor(row=first)
        await pilot.press("m")
        table.move_cursor(row=first + 2)
        await pilot.press("d")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        # offered as the timeline shows times, to the millisecond
        expected = f"{clock(rows[first].t_ms)}-{clock(rows[first + 2].end_ms)}"
        assert prompt.query_one("#answer", Input).value == expected
        assert table.get_row_at(first)[1] in expected  # the time the timeline shows, as it shows it
        await pilot.press("enter")
        await settle(app, pilot)
        gaps = [s for s in open_episode(session.current).steps() if isinstance(s, GapStep)]
        assert [gap.reason for gap in gaps] == ["dropped_by_review", "recorder_behind"]
        # redact the text selected in the file pane, at the last step
        table.move_cursor(row=table.row_count - 1)
        await choose_file(app, pilot, "main.py")
        area = app.query_one("#file-text", TextArea)
        assert area.text == "print('hi')\n"
        area.selection = Selection((0, 7), (0, 9))
        await pilot.press("r")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen) and prompt.query_one("#answer", Input).value == "hi"
        await pilot.press("enter")
        await settle(app, pilot)
        assert session.plan.patterns == ("hi",)
        assert "print('«redacted:custom-1:1»')" in json.dumps([step_to_dict(s) for s in
                                                               open_episode(session.current).steps()],
                                                              ensure_ascii=False)
        # a pattern that matches nothing changes nothing, and says so
        await pilot.press("r")
        app.screen.query_one("#answer", Input).value = "ZZZ-not-there"
        await pilot.press("enter")
        await settle(app, pilot)
        assert session.plan.patterns == ("hi",) and any("matches nothing" in said for said in app.said)
        # undo takes the last change back
        await pilot.press("u")
        await settle(app, pilot)
        assert not session.plan.patterns and session.plan.excludes == ("/private/",)
        # sign: the dialog states what is agreed to; Enter on "Sign and queue" signs
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, SignScreen)
        await pilot.press("enter")
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed"
    queued = home.outbox / episode.name
    assert outcome.message.endswith(str(queued)) and not episode.exists()
    signed = open_episode(queued)
    statement = check_consent(signed)
    verify_replay(signed)
    assert statement.scope.files == ["app.py", "main.py"] and not statement.scope.excluded
    assert statement.scope.excluded_sha256 == exclusions_digest(
        load_private(home, None)[0], statement.content.episode_id, ["/private/"])
    assert statement.redaction.counts == {"excluded-path": 1}
    session.close()


async def test_ctrl_c_keeps_the_episode_as_it_was_once_asked_about_the_changes(home: Home,
                                                                             episode: Path) -> None:
    before = episode.read_bytes()
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await choose_file(app, pilot, "private/plan.md")
        await pilot.press("x", "enter")
        await settle(app, pilot)
        assert session.trimmed is not None
        # unsaved changes: Ctrl-C asks, and Stay (the focused answer) keeps the review going
        await pilot.press("ctrl+c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert any("exclude /private/plan.md" in str(widget.render()) for widget in dialog.query(Static))
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and app.return_value is None
        assert session.plan.excludes == ("/private/plan.md",)
        # k asks the same; Escape stays too
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and app.return_value is None
        # Ctrl-C twice leaves
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "kept"
    session.close()
    assert episode.read_bytes() == before and not home.outbox.exists()
    assert session.trimmed is not None and not session.trimmed.path.exists()


async def test_ctrl_c_leaves_at_once_when_nothing_was_changed_or_all_was_undone(home: Home,
                                                                              episode: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await choose_file(app, pilot, "private/plan.md")
        await pilot.press("x", "enter")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "kept" and episode.exists()
    session.close()


async def test_a_drop_range_takes_the_times_the_screens_show(home: Home, episode: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    rows = session.timeline.rows
    first = next(n for n, row in enumerate(rows) if row.kind == "command")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        table = app.query_one("#timeline-table", DataTable)
        shown = str(table.get_row_at(first)[1])  # h:mm:ss.mmm (FROM-TO for a row of several steps)
        await pilot.press("d")
        app.screen.query_one("#answer", Input).value = shown if "-" in shown else f"{shown}-{shown}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert session.plan.drops == ((rows[first].t_ms, rows[first].end_ms),)
        assert any(isinstance(s, GapStep) and s.reason == "dropped_by_review"
                   for s in open_episode(session.current).steps())
        await pilot.press("d")
        app.screen.query_one("#answer", Input).value = "soon-later"
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("is not a time" in said for said in app.said) and len(session.plan.drops) == 1
    session.close()


async def test_discard_asks_first_and_cancel_is_the_default(home: Home, episode: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Cancel has the focus
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and episode.exists()
        await pilot.press("D", "tab", "enter")
        await pilot.pause()
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "discarded"
    assert not episode.exists()
    session.close()


async def test_a_protected_key_asks_for_its_passphrase(home: Home, episode: Path) -> None:
    init_keys(home, passphrase="correct horse", force=True)
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SignScreen)
        await pilot.press(*"wrong", "enter")
        await settle(app, pilot)
        assert any("passphrase" in said for said in app.said) and episode.exists()
        await pilot.press("s", *"correct horse", "enter")
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed"
    assert (home.outbox / episode.name).exists()
    session.close()


async def test_the_policy_s_mandatory_exclusions_come_first(home: Home, episode: Path) -> None:
    (home.root / "policy.toml").write_text('mandatory_exclude = ["*.csv"]\npurpose = "research"\n',
                                           encoding="utf-8")
    session = ReviewSession(episode, home)
    assert session.plan.excludes == ("*.csv",) and session.policy_excludes == ["*.csv"]
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("excluded as the sharing policy requires: *.csv" in said for said in app.said)
        assert "purpose     research" in text_of(app, "#summary-text")
        await pilot.press("k")
        await pilot.pause()
    session.close()


def written(app: Recorded) -> Path:
    """The file the review's last report message names."""
    said = [said for said in app.said if said.startswith("report written to ")][-1]
    found = re.fullmatch(r"report written to (.+?)( and opened in your browser)? \(removed when the review "
                         r"closes\)", said)
    assert found is not None, said
    return Path(found[1])


@pytest.mark.parametrize("ending", ["keep", "ctrl+c", "sign", "error"])
async def test_the_report_is_there_while_the_review_is_and_gone_after(
        home: Home, episode: Path, ending: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """However the review ends (keep, Ctrl-C, sign, a bug), the report's folder goes with it."""
    monkeypatch.delenv("DISPLAY", raising=False)  # no browser opens (the message names the file)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    session = ReviewSession(episode, home)
    app = Recorded(session)

    def fail() -> None:
        raise RuntimeError("a bug in the review")

    with pytest.raises(RuntimeError, match="a bug in the review") if ending == "error" else nullcontext():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await settle(app, pilot)
            first = written(app)
            assert first.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
            assert "This is what would be shared if you signed now" in first.read_text(encoding="utf-8")
            await pilot.press("o")  # written again: the new report's folder replaces the first one's
            await settle(app, pilot)
            page = written(app)
            assert page.parent != first.parent and not first.parent.exists()
            assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
            assert (page.parent.stat().st_mode & 0o077) == 0
            if ending == "sign":
                await pilot.press("s", "enter")
                await settle(app, pilot)
            elif ending == "error":
                app.call_later(fail)  # the app shows the traceback and ends; run_test raises it
            else:
                await pilot.press("k" if ending == "keep" else "ctrl+c")
            await pilot.pause()
    if ending != "error":
        outcome = app.return_value
        assert isinstance(outcome, ReviewOutcome)
        assert outcome.choice == ("signed" if ending == "sign" else "kept")
    assert not page.parent.exists()  # with the app, before the session closes
    session.close()


async def test_unlinkable_mode_signs_with_an_episode_key_and_needs_no_key_of_your_own(tmp_path: Path) -> None:
    import os

    from collector.consent.authorisation import Authorisation
    from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch
    from collector.consent.unlinkable import epoch_of
    from collector.protocol.clock import utc_now

    home = Home(tmp_path / "home")  # enrolled (a batch of keys), no `keys init`
    seed, public = new_key_pair()
    store_batch(home, [EpisodeKey(public, seed, Authorisation("0123456789abcdef", epoch_of(utc_now()),
                                                              os.urandom(32), os.urandom(384)))])
    home.config.write_text('[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    home.ensure(home.episodes)
    episode = write(home.episodes / f"{HEADER.episode_id}.ctape", two_files())
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, SignScreen)
        assert any("a key of this episode alone" in line for line in dialog._lines)
        await pilot.press("enter")
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed", app.said
    statement = check_consent(open_episode(home.outbox / episode.name))
    assert statement.reviewer.authorisation is not None and statement.timing == "drawn"
    assert outcome.message.startswith("signed unlinkably, under an episode key authorised by issuer "
                                      f"0123456789abcdef for {epoch_of(utc_now())}, "), outcome.message
    assert statement.reviewer.key_id not in outcome.message  # the episode's key names nobody
    session.close()


async def test_unlinkable_review_never_shows_your_own_key_as_the_signer(tmp_path: Path) -> None:
    import os

    from collector.consent.authorisation import Authorisation
    from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch
    from collector.consent.unlinkable import epoch_of
    from collector.protocol.clock import utc_now

    home = Home(tmp_path / "home")
    own = init_keys(home)  # a key of your own as well, from attributed days
    seed, public = new_key_pair()
    store_batch(home, [EpisodeKey(public, seed, Authorisation("fedcba9876543210", epoch_of(utc_now()),
                                                              os.urandom(32), os.urandom(384)))])
    home.config.write_text('[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    home.ensure(home.episodes)
    episode = write(home.episodes / f"{HEADER.episode_id}.ctape", two_files())
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, SignScreen)
        assert not any(own.key_id in line for line in dialog._lines), dialog._lines
        await pilot.press("enter")
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed", app.said
    assert own.key_id not in outcome.message and "fedcba9876543210" in outcome.message, outcome.message
    assert not any(own.key_id in said for said in app.said), app.said
    session.close()
