"""The report's active time counts pauses as `codetape stats` does: `[stats] idle_minutes`, and says so."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.report import report_bytes
from tests.unit.review.test_trim import two_files, write


def test_the_page_names_the_idle_time_it_counted_with(tmp_path: Path) -> None:
    episode = open_episode(write(tmp_path / "e.ctape", two_files()))
    assert "(no pause over 15 min)" in report_bytes(episode).decode()
    assert "(no pause over 5 min)" in report_bytes(episode, idle_ms=5 * 60_000).decode()
