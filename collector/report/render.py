"""The report as one self-contained HTML page: header, timeline chart, files with diffs, step list.

This module works out what the page says, as plain values; the templates (`templates/report.html.j2`,
which includes `chart.svg.j2`, `files.html.j2` and `steps.html.j2`) say how it looks.

Episodes are untrusted. The templates escape every text taken from one, with its control characters
shown as symbols (`templating`); the step list travels as JSON inside a data block, with `<`, `>` and `&`
escaped so no `</script>` in it can close the block, and the page's script writes it with `textContent`
only. The Content-Security-Policy allows the page's own style and script by hash and nothing else
(`assets`): no network, no other script, no image from anywhere.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from collector import __version__
from collector.episode.summary import FileActivity, Summary, editors_text, shares, shares_text
from collector.replay.describe import clock, plural
from collector.report.assets import CSP, LANGUAGE_COLOURS, ORIGIN_COLOURS, SCRIPT, STYLE
from collector.report.chart import layout
from collector.report.data import ReportData
from collector.report.files import FileReport
from collector.report.rows import EVENT_KINDS
from collector.report.templating import template

OPEN_FILE_LINES = 80  # a changed file's diff starts open when it is this short...
OPEN_TOTAL_LINES = 300  # ...and the diffs open so far are this short together
TASK_LIMIT = 2_000


def script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in, nor open a comment there."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@dataclass(frozen=True)
class Cards:
    """The numbers in the row of cards under the summary."""

    duration: str
    changed: int
    passed: int
    failed: int
    commands_failed: int


@dataclass(frozen=True)
class FileView:
    """One file's entry: its report, whether its diff starts open, and how its change is drawn."""

    report: FileReport
    opened: bool
    status_class: str
    blocks: list[str]  # the five cells of the change bar: "a" added, "d" removed, "" neither; none: no diff
    lines: list[tuple[str, str]]  # (class, text) of each diff line shown
    activity: str


def render_page(data: ReportData) -> str:
    return template("report.html.j2").render(page_context(data))


def page_context(data: ReportData) -> dict[str, Any]:
    """Every name `report.html.j2` and the templates it includes use."""
    summary, rows = data.summary, data.rows
    return {
        "csp": CSP, "style": STYLE, "script": SCRIPT, "version": __version__,
        "data": data, "summary": summary, "workspace": summary.workspace, "episode8": summary.episode_id[:8],
        "tasks": _tasks(data), "shared_text": _shared_text(data.review_excluded),
        "started": _utc(summary, 0), "ended": _utc(summary, summary.duration_ms),
        "steps_text": _steps_text(summary), "kinds_text": _kinds_text(summary),
        "client_text": _client_text(summary),
        "skipped": sorted(summary.skipped.items()),
        "cards": _cards(data),
        "written": _written(summary.written), "written_text": shares_text(summary.written),
        "written_total": sum(summary.written.values()),
        "active": _active(data.activity.by_language), "active_total": data.activity.total_ms,
        "idle_minutes": data.activity.idle_ms // 60_000,
        "chart": layout(data.timeline),
        "files": _files(data),
        "rows": rows,
        "row_kinds": sorted({row.kind for row in rows.rows}),
        "kept_kinds": ", ".join(sorted(kind.replace("_", " ") for kind in EVENT_KINDS)),
        "rows_json": script_json({"rows": [[row.first, row.last, row.t_ms, row.kind, row.path, row.text,
                                             row.flag, int(row.under)] for row in rows.rows]}),
    }


def _tasks(data: ReportData) -> list[tuple[str, str]]:
    """(label, text) of each task line in the header: the statements (cut short) and the outcomes."""
    out = []
    for task in data.tasks:
        if task.action == "start" and task.statement:
            statement = task.statement
            if len(statement) > TASK_LIMIT:
                statement = statement[:TASK_LIMIT] + "…"
            out.append(("Task", statement))
        elif task.action == "done" and task.outcome:
            out.append(("Task done", f"{task.outcome} at {clock(task.t_ms)}"))
    return out


def _shared_text(excluded: int | None) -> str | None:
    """For a page made in a review, the line above everything that says what it is; None otherwise."""
    if excluded is None:
        return None
    left_out = plural(excluded, "file") + " excluded" if excluded else "no file excluded"
    return f"This is what would be shared if you signed now: the episode as reviewed, {left_out}."


def _steps_text(summary: Summary) -> str:
    if summary.first_t_ms is None:
        return f"{summary.steps:,}"
    return f"{summary.steps:,} (from {summary.first_t_ms:,} ms to {summary.last_t_ms:,} ms)"


def _kinds_text(summary: Summary) -> str:
    by_count = sorted(summary.kinds.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{kind} {count:,}" for kind, count in by_count) or "none"


def _client_text(summary: Summary) -> str:
    """Every editor whose steps the episode records (`editors_text`), or `unknown`."""
    return editors_text(summary.editors) or "unknown"


def _utc(summary: Summary, ms: int) -> str:
    moment = summary.started_at + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03} UTC"


def _total(data: ReportData, name: str) -> int:
    return sum(getattr(b, name) for b in data.timeline.bins)


def _cards(data: ReportData) -> Cards:
    return Cards(duration=clock(data.summary.duration_ms).rsplit(".", 1)[0],
                 changed=sum(1 for report in data.files if report.changed),
                 passed=_total(data, "tests_passed"), failed=_total(data, "tests_failed"),
                 commands_failed=_total(data, "commands_failed"))


def _activity(activity: FileActivity | None) -> str:
    if activity is None:
        return ""
    parts = [(activity.opens, "open"), (activity.edits, "edit"), (activity.saves, "save"),
             (activity.changes, "change on disk")]
    done = " · ".join(plural(count, name) for count, name in parts if count)
    return done + (f" · {shares_text(activity.written)}" if activity.written else "")


@dataclass(frozen=True)
class Share:
    """One origin's piece of the whose-work bar (an SVG 100 units wide)."""

    origin: str
    share: float
    x: float
    width: float
    colour: str


def _active(by_language: Counter[str]) -> list[Share]:
    """Active time by language as pieces of a bar, the largest first (colours by rank)."""
    total = sum(by_language.values())
    out, x = [], 0.0
    for rank, (language, ms) in enumerate(by_language.most_common()):
        if not ms:
            continue
        share = ms / total
        out.append(Share(f"{language} {_minutes(ms)}", share, round(x, 3), round(100 * share, 3),
                         LANGUAGE_COLOURS[rank % len(LANGUAGE_COLOURS)]))
        x += 100 * share
    return out


def _minutes(ms: int) -> str:
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds:02} s" if minutes else f"{seconds} s"


def _written(written: Counter[str]) -> list[Share]:
    out, x = [], 0.0
    for origin, share in shares(written):
        colour = ORIGIN_COLOURS.get(origin, ORIGIN_COLOURS["unknown"])
        out.append(Share(origin, share, round(x, 3), round(100 * share, 3), colour))
        x += 100 * share
    return out


def _blocks(report: FileReport) -> list[str]:
    total = report.added + report.removed
    if not total:
        return []
    added = round(5 * report.added / total)
    added = max(added, 1) if report.added else 0
    removed = min(5 - added, max(round(5 * report.removed / total), 1 if report.removed else 0))
    return ["a"] * added + ["d"] * removed + [""] * (5 - added - removed)


def _line_class(line: str) -> str:
    return "h" if line.startswith("@@") else "m" if line.startswith(("--- ", "+++ ", "\\")) else \
        "a" if line.startswith("+") else "d" if line.startswith("-") else "c"


def _files(data: ReportData) -> list[FileView]:
    """Every file's entry; short diffs of changed files start open, until enough lines are open."""
    budget, out = OPEN_TOTAL_LINES, []
    for report in data.files:
        opened = report.changed and 0 < len(report.lines) <= min(OPEN_FILE_LINES, budget)
        budget -= len(report.lines) if opened else 0
        out.append(FileView(report, opened, report.status.split()[0], _blocks(report),
                            [(_line_class(line), line) for line in report.lines], _activity(report.activity)))
    return out
