"""The review's report folders (`Reports`), with a stand-in for `codetape report`: one folder at a time, none
after the review closes, even for a report that finishes after it."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from collector.review.errors import ReviewError
from collector.review.report import Reports

EPISODE = Path("episode.ctape")


def maker(root: Path, before: Callable[[], None] = lambda: None) -> Callable[[Path, str], Path]:
    """A `make_report` writing a page into a new folder under `root`, after `before` returns."""
    def make(episode: Path, episode_id: str) -> Path:
        before()
        page = Path(tempfile.mkdtemp(prefix="codetape-report-", dir=root)) / f"{episode_id}.html"
        page.write_text(f"<!doctype html>{episode}", encoding="utf-8")
        return page
    return make


def test_a_new_report_replaces_the_last_and_close_removes_it(tmp_path: Path) -> None:
    reports = Reports(maker(tmp_path))
    first = reports.write(EPISODE, "one")
    second = reports.write(EPISODE, "one")
    assert second.exists() and not first.parent.exists()
    assert list(tmp_path.iterdir()) == [second.parent]
    reports.close()
    reports.close()  # twice is once
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ReviewError, match="the review has closed"):
        reports.write(EPISODE, "one")
    assert list(tmp_path.iterdir()) == []


def test_a_report_finishing_after_the_review_closed_is_removed(tmp_path: Path) -> None:
    started, closed = threading.Event(), threading.Event()

    def wait_for_close() -> None:
        started.set()
        assert closed.wait(timeout=30)

    reports = Reports(maker(tmp_path, wait_for_close))
    failed: list[BaseException] = []

    def write() -> None:
        try:
            reports.write(EPISODE, "one")
        except ReviewError as exc:
            failed.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert started.wait(timeout=30)
    reports.close()
    closed.set()
    writer.join(timeout=30)
    assert not writer.is_alive()
    assert [str(exc) for exc in failed] == ["the review closed while the report was written; it is removed"]
    assert list(tmp_path.iterdir()) == []
