"""The review's report is told how many files the review excluded (never which), and says so."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from collector.review.report import Reports, excluded_count
from collector.review.session import ReviewSession


def test_reports_pass_the_count_to_the_maker_only_when_given(tmp_path: Path) -> None:
    calls: list[tuple[Any, ...]] = []

    def make(*args: Any) -> Path:
        calls.append(args)
        page = Path(tempfile.mkdtemp(dir=tmp_path)) / "page.html"
        page.write_text("<!doctype html>", encoding="utf-8")
        return page

    reports = Reports(make)
    reports.write(Path("e.ctape"), "one")
    reports.write(Path("e.ctape"), "one", 3)
    reports.close()
    assert calls == [(Path("e.ctape"), "one"), (Path("e.ctape"), "one", 3)]


def test_the_count_is_the_trimmed_episodes_excluded_paths() -> None:
    untrimmed = cast(ReviewSession, SimpleNamespace(trimmed=None))
    trimmed = cast(ReviewSession, SimpleNamespace(trimmed=SimpleNamespace(
        excluded=SimpleNamespace(paths={"notes.md", "secrets/.env"}))))
    assert excluded_count(untrimmed) == 0 and excluded_count(trimmed) == 2
