"""The review's pictures in docs/pictures/ (README.md and the docs' home show them) are what the current code
draws for the fixed episode: tests/fixtures/make_pictures.py makes them again, in process, and each must
equal the committed file, a time of day and Textual's content-derived ids aside (issue 74, item 1)."""

from __future__ import annotations

import pytest

from tests.fixtures.make_pictures import PICTURES, REGENERATE, comparable, review_pictures


@pytest.fixture(scope="module")
def drawn() -> dict[str, str]:
    return review_pictures()


def test_the_review_is_drawn_at_each_tab_and_the_sign_dialog(drawn: dict[str, str]) -> None:
    assert sorted(drawn) == sorted(
        f"review-{n}.svg" for n in ("summary", "timeline", "files", "diff", "shared", "sign")
    )
    assert "Sign into the outbox" in drawn["review-sign.svg"].replace("&#160;", " ")


@pytest.mark.parametrize("name", ["summary", "timeline", "files", "diff", "shared", "sign"])
def test_the_committed_picture_is_what_the_code_draws(drawn: dict[str, str], name: str) -> None:
    path = PICTURES / f"review-{name}.svg"
    assert path.exists(), f"{path.name} is missing: {REGENERATE}"
    assert comparable(path.read_text(encoding="utf-8")) == comparable(drawn[path.name]), (
        f"docs/pictures/{path.name} is not what the review draws now: {REGENERATE}"
    )


def test_the_report_picture_is_committed() -> None:
    png = PICTURES / "report.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", (
        f"docs/pictures/report.png is not a PNG: {REGENERATE}"
    )
