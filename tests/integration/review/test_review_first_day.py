"""The review on a developer's first day, driven by Textual's Pilot: no signing key and no destination yet
(the sign dialog makes the one and sets the other), the Shared tab (what leaves, a file dropped from it
and shared again), the Files tab at the end state until the Timeline's cursor moves, `?` for the keys,
and the sign dialog in a terminal as small as an editor's split."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable, Input, Static, TabbedContent

from collector.consent import load_public
from collector.consent.verify import check_consent
from collector.episode import open_episode
from collector.home import Home
from collector.policy.config import load_config
from collector.review.app import ReviewOutcome
from collector.review.dialogs import HelpScreen, PromptScreen, SignScreen
from collector.review.session import ReviewSession
from tests.integration.review.test_review_app import Recorded, settle, text_of
from tests.unit.review.test_trim import HEADER, two_files, write

SIZE = (150, 45)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")  # a first day: no key, no config.toml


@pytest.fixture
def episode(home: Home) -> Path:
    home.ensure(home.episodes)
    return write(home.episodes / f"{HEADER.episode_id}.ctape", two_files())


async def sign_dialog(app: Recorded, pilot: Any) -> SignScreen:
    """Press s: the sign dialog."""
    await pilot.press("s")
    dialog = app.screen
    assert isinstance(dialog, SignScreen)
    return dialog


def shared_rows(app: Recorded) -> dict[str, str]:
    table = app.query_one("#shared-table", DataTable)
    return {str(table.get_row_at(n)[1]): str(table.get_row_at(n)[0]) for n in range(table.row_count)}


async def test_the_sign_dialog_makes_the_key_and_sets_the_destination(home: Home, episode: Path,
                                                                      tmp_path: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await sign_dialog(app, pilot)
        statement = "\n".join(dialog._lines)
        assert "key       your new signing key, made when you sign" in statement
        assert "shares    6 of 6 files, 2 commands, 1 test run will be shared" in statement
        assert app.focused is dialog.query_one("#new-passphrase", Input)
        # two different passphrases: said in the dialog, which stays
        await pilot.press(*"one", "enter")
        assert app.focused is dialog.query_one("#again", Input)
        await pilot.press(*"two", "enter")
        assert app.screen is dialog and "differ" in str(dialog.query_one("#problem", Static).render())
        # a destination that cannot be one: said in the dialog too
        dialog.query_one("#new-passphrase", Input).value = "correct horse"
        dialog.query_one("#again", Input).value = "correct horse"
        dialog.query_one("#destination", Input).value = "s3://user:secret@bucket/x"
        await pilot.click("#sign")
        assert app.screen is dialog and "credentials" in str(dialog.query_one("#problem", Static).render())
        target = tmp_path / "shared"
        dialog.query_one("#destination", Input).value = f"file://{target}"
        assert app.focused is dialog.query_one("#destination", Input)
        await pilot.press("enter")  # Enter in the destination signs (the button is still in its press effect)
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed", app.said
    key = load_public(home)
    assert key.protected
    assert f"signing key {key.key_id} made (protected by your passphrase)" in outcome.message
    assert f"upload destination set: file://{target}" in outcome.message
    assert load_config(home).upload.to == f"file://{target}"
    assert check_consent(open_episode(home.outbox / episode.name)).reviewer.key_id == key.key_id


async def test_unlinkable_without_keys_says_how_to_enrol(home: Home, episode: Path) -> None:
    home.config.parent.mkdir(parents=True, exist_ok=True)
    home.config.write_text('[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await sign_dialog(app, pilot)
        assert not dialog.query("#sign") and "codetape enroll URL --secret S" in "\n".join(
            str(widget.render()) for widget in dialog.query(Static))
        await pilot.press("escape")
        assert app.screen is not dialog and episode.exists()
    session.close()


async def test_the_shared_tab_lists_what_leaves_and_drops_a_file(home: Home, episode: Path) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        assert app.focused is app.query_one("#shared-table", DataTable)
        assert text_of(app, "#shared-footer").startswith(
            "this is what would be shared: 6 of 6 files, 2 commands, 1 test run will be shared")
        assert shared_rows(app)["main.py"] == "shared"
        rest = text_of(app, "#shared-rest-text")
        assert "commands (2):\n  cat private/plan.md  (exit 0)" in rest
        assert "git remote: none recorded" in rest
        table = app.query_one("#shared-table", DataTable)
        table.move_cursor(row=list(shared_rows(app)).index("private/budget.csv"))
        await pilot.pause()
        assert "+BLUEHERON,40000" in text_of(app, "#shared-diff")  # the file's diff beside it
        await pilot.press("space")
        await settle(app, pilot)
        assert session.plan.excludes == ("/private/budget.csv",)
        assert shared_rows(app)["private/budget.csv"] == "left out"
        assert text_of(app, "#shared-footer").startswith("this is what would be shared: 5 of 6 files")
        assert "left out private/budget.csv" in app.said[-1]
        table.move_cursor(row=list(shared_rows(app)).index("private/budget.csv"))
        await pilot.press("space")
        await settle(app, pilot)
        assert session.plan.excludes == () and shared_rows(app)["private/budget.csv"] == "shared"
    session.close()


async def test_files_open_at_the_end_and_follow_the_timeline_visibly(home: Home, episode: Path) -> None:
    session = ReviewSession(episode, home)
    last = session.browser.count - 1
    app = Recorded(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "3")  # a visit to the Timeline moves nothing
        title = text_of(app, "#file-title")
        assert f"at the end, after step {last} of {last}" in title and "does not exist" not in title
        await pilot.press("2", "down", "down", "3")
        row = session.timeline.rows[2]
        assert f"after step {row.last} of {last}" in text_of(app, "#file-title")
        assert "the Timeline's cursor (e: the end)" in text_of(app, "#file-title")
        await pilot.press("e")
        assert f"at the end, after step {last} of {last}" in text_of(app, "#file-title")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.query_one("#tabs", TabbedContent).active == "files"
        # the drop prompt is not filled from a Timeline row that is not on screen
        await pilot.press("d")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen) and prompt.query_one("#answer", Input).value == ""
    session.close()


@pytest.mark.parametrize("height", [12, 20])
async def test_the_sign_dialog_fits_an_editor_split(home: Home, episode: Path, height: int) -> None:
    session = ReviewSession(episode, home)
    app = Recorded(session)
    async with app.run_test(size=(80, height)) as pilot:
        dialog = await sign_dialog(app, pilot)
        await pilot.pause()  # laid out at this size
        for selector in ("#sign", "#cancel", "#new-passphrase", "#again", "#destination"):
            region = dialog.query_one(selector).region
            assert region.height >= 1 and region.y >= 0 and region.bottom <= height, (selector, region)
        assert isinstance(dialog.query_one("#sign"), Button)
        await pilot.press("escape")
    session.close()
