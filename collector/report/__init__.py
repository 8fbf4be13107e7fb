"""`codetape report`: one self-contained HTML page about an episode, for people who would rather look.

    data        what the page shows, computed in one pass over the steps (summary, timeline, files, rows)
    timeline    activity counted into time bins; chart lays them out as lanes for an inline SVG
    files       each file's diff from its first recorded text to the end
    rows        the step list, grouped and capped
    render      what the page says, handed to its templates
    templating  the Jinja environment: autoescape always on, control characters shown, undefined names
                an error; `rawtext`, the one way a text goes in unescaped (into <style> and <script>)
    assets      the inline style and script (static/report.css, static/report.js), the CSP allowing
                exactly them by hash, the colours the chart and the page share

    templates/  report.html.j2, the page, including chart.svg.j2, files.html.j2 and steps.html.j2
    static/     report.css and report.js, inlined into every page

The review makes its page through `codetape report --review-excluded N` (collector/review/report.py): the
page then says, above everything, that it is what would be shared and how many files were excluded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from collector.atomic import atomic_write
from collector.episode import Episode
from collector.episode.resolve import show
from collector.errors import CodetapeError
from collector.report.data import ReportData, collect
from collector.report.render import render_page
from schemas import Step


def report_bytes(episode: Episode, steps: Iterable[Step] | None = None, *,
                 review_excluded: int | None = None, idle_ms: int | None = None) -> bytes:
    """The page for `episode` as UTF-8; `steps` is `episode.steps()`, possibly wrapped in a progress bar;
    `review_excluded`: for a page made in a review, the files the reviewer excluded (how many); `idle_ms`:
    the pause that counts as time away in its active time (`[stats] idle_minutes`; default 15 minutes).

    Reconstructed text can hold a lone surrogate (an edit splitting a UTF-16 pair): it becomes "?".
    """
    data = collect(episode, steps, review_excluded=review_excluded, idle_ms=idle_ms)
    return render_page(data).encode("utf-8", "replace")


def write_report(episode: Episode, output: Path, steps: Iterable[Step] | None = None, *,
                 review_excluded: int | None = None, idle_ms: int | None = None) -> int:
    """Write the page to `output` through a temporary file beside it; returns its size in bytes."""
    data = report_bytes(episode, steps, review_excluded=review_excluded, idle_ms=idle_ms)
    try:
        atomic_write(output, data, mode=0o644)
    except OSError as exc:
        raise CodetapeError(f"cannot write {show(str(output))}: {exc.strerror}") from None
    return len(data)


__all__ = ["ReportData", "collect", "render_page", "report_bytes", "write_report"]
