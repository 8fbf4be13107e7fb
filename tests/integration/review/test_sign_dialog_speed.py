"""The sign dialog driven at full speed (issue 97, item 7): what a password manager or a paste sends, a
passphrase, Tab, the passphrase again, Tab, a destination, Enter, reaches the app as one burst of key
events with no pause between them (Textual's driver posts each key to the app as it reads it), and each
part lands in its own field. The keys are posted as the driver posts them; the test then waits for the
app to be idle and the signing to end, never for a fixed time."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from collector.consent.verify import check_consent
from collector.episode import open_episode
from collector.home import Home
from collector.policy.config import load_config
from collector.review.app import ReviewOutcome
from collector.review.session import ReviewSession
from tests.integration.review.test_review_app import Recorded, settle
from tests.integration.review.test_review_first_day import SIZE, episode, home, sign_dialog

__all__ = ["episode", "home"]  # the fixtures, shared with the first-day tests

PASSPHRASE = "correct horse"


def typed(text: str) -> list[events.Key]:
    """The key events a terminal sends for `text` typed."""
    return [events.Key("space" if char == " " else char, char) for char in text]


def burst(app: Recorded, items: list[events.Key | events.Paste]) -> None:
    """Post every event at once, as the driver does when keys arrive faster than the app handles them."""
    for item in items:
        app.post_message(item)


@pytest.mark.parametrize("destination_as", ["paste", "keys"])
async def test_a_burst_of_keys_fills_each_field_in_turn(home: Home, episode: Path, tmp_path: Path,
                                                        destination_as: str) -> None:
    target = tmp_path / "shared"
    url = f"file://{target}"
    tab = events.Key("tab", "\t")
    app = Recorded(ReviewSession(episode, home))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await sign_dialog(app, pilot)
        destination: list[events.Key | events.Paste] = (
            [events.Paste(url)] if destination_as == "paste" else list(typed(url)))
        burst(app, [*typed(PASSPHRASE), tab, *typed(PASSPHRASE), tab, *destination])
        await pilot.pause()
        values = {field: dialog.query_one(f"#{field}", Input).value
                  for field in ("new-passphrase", "again", "destination")}
        assert values == {"new-passphrase": PASSPHRASE, "again": PASSPHRASE, "destination": url}
        burst(app, [events.Key("enter", "\r")])
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed", app.said
    assert load_config(home).upload.to == url
    assert check_consent(open_episode(home.outbox / episode.name)).reviewer.key_id


async def test_enter_in_the_burst_signs_with_everything_typed_before_it(home: Home, episode: Path,
                                                                         tmp_path: Path) -> None:
    """Enter after the new passphrase moves on to the second field; Enter at the end signs, with the whole
    destination typed before it (none of its last keys left behind)."""
    url = f"file://{tmp_path / 'shared'}"
    app = Recorded(ReviewSession(episode, home))
    async with app.run_test(size=SIZE) as pilot:
        await sign_dialog(app, pilot)
        enter = events.Key("enter", "\r")
        tab = events.Key("tab", "\t")
        burst(app, [*typed(PASSPHRASE), enter, *typed(PASSPHRASE), tab, *typed(url), enter])
        await settle(app, pilot)
    outcome = app.return_value
    assert isinstance(outcome, ReviewOutcome) and outcome.choice == "signed", app.said
    assert load_config(home).upload.to == url
