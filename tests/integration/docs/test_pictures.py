"""The review's pictures in docs/pictures/ (README.md and the docs' home show them) are what the current code
draws for the fixed episode: tests/fixtures/make_pictures.py makes them again, in process, and each must
equal the committed file, a time of day and Textual's content-derived ids aside (issue 74, item 1)."""

from __future__ import annotations

import json
import re

import pytest

from tests.fixtures.make_pictures import PICTURES, REGENERATE, ROOT, comparable, review_pictures


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


def test_the_first_day_cast_is_an_asciicast_of_the_first_day() -> None:
    """docs/pictures/first-day.cast, as asciinema recorded tests/fixtures/first_day.sh: a v2 cast whose output
    holds each command the script shows and what the real codetape answered."""
    lines = (PICTURES / "first-day.cast").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    shown = "".join(json.loads(line)[2] for line in lines[1:] if json.loads(line)[1] == "o")
    script = (ROOT / "tests" / "fixtures" / "first_day.sh").read_text(encoding="utf-8")
    commands = re.findall(r"^show ['\"](.+)['\"]$", script, re.M)
    assert len(commands) >= 10
    for command in commands:
        assert command.replace("$SHARED", "/tmp/codetape-pictures/shared") in shown, command
    for answer in ("opted in: ", "1 failed", "1 passed", "sealed ", "created signing key", "signed by "):
        assert answer in shown, f"{answer!r} is not in the cast: {REGENERATE}"
