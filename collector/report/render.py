"""The report as one self-contained HTML page: header, timeline chart, files with diffs, step list.

Episodes are untrusted. Every text taken from one is escaped for HTML (and control characters are
shown as symbols); the step list travels as JSON inside a data block, with `<`, `>` and `&` escaped so
no `</script>` in it can close the block, and the page's script writes it with `textContent` only. The
Content-Security-Policy allows the page's own style and script by hash and nothing else: no network,
no other script, no image from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import timedelta
from html import escape

from collector import __version__
from collector.episode.summary import FileActivity, Summary
from collector.replay.describe import clock, plural
from collector.report.assets import SCRIPT, STYLE
from collector.report.chart import render_chart
from collector.report.data import ReportData
from collector.report.files import FileReport
from collector.report.rows import EVENT_KINDS

CONTROLS = {code: 0x2400 + code for code in range(32) if code != 9} | {0x7F: 0x2421}
OPEN_FILE_LINES = 80  # a changed file's diff starts open when it is this short...
OPEN_TOTAL_LINES = 300  # ...and the diffs open so far are this short together
TASK_LIMIT = 2_000


def esc(text: str) -> str:
    """`text` safe inside HTML text or a quoted attribute; control characters shown as symbols."""
    return escape(text.translate(CONTROLS), quote=True)


def script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in, nor open a comment there."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


CSP = (f"default-src 'none'; style-src {csp_hash(STYLE)}; script-src {csp_hash(SCRIPT)}; "
       "img-src 'none'; base-uri 'none'; form-action 'none'")


def render_page(data: ReportData) -> str:
    summary = data.summary
    title = f"codetape report · {summary.workspace.root_name} · {summary.episode_id[:8]}"
    rows = [[row.first, row.last, row.t_ms, row.kind, row.path, row.text, row.flag] for row in data.rows.rows]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        _header(data),
        "<main>",
        _facts(data),
        _cards(data),
        *_alerts(data),
        _timeline(data),
        _files(data),
        _steps(data),
        "</main>",
        f"<footer>Made by codetape {esc(__version__)} from episode {esc(summary.episode_id)}. "
        "One self-contained file: it loads nothing from the network.</footer>",
        f'<script id="steps-data" type="application/json">{script_json({"rows": rows})}</script>',
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _header(data: ReportData) -> str:
    summary = data.summary
    out = ['<header class="top"><div class="inner"><div class="brand">codetape report</div>',
           f'<h1>{esc(summary.workspace.root_name)}<span class="id">{esc(summary.episode_id)}</span></h1>']
    for task in data.tasks:
        if task.action == "start" and task.statement:
            statement = task.statement
            if len(statement) > TASK_LIMIT:
                statement = statement[:TASK_LIMIT] + "…"
            out.append(f'<p class="task"><b>Task</b>{esc(statement)}</p>')
        elif task.action == "done" and task.outcome:
            out.append(f'<p class="task"><b>Task done</b>{esc(task.outcome)} at {clock(task.t_ms)}</p>')
    out.append("</div></header>")
    return "\n".join(out)


def _utc(summary: Summary, ms: int) -> str:
    moment = summary.started_at + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03} UTC"


def _signature(summary: Summary) -> str:
    if summary.signed_by is not None:
        return (f'<span class="badge ok">signed</span> by key <span class="mono">{esc(summary.signed_by)}'
                "</span>, signature verified")
    if summary.consent_frame:
        return f'<span class="badge fail">signature invalid</span> {esc(summary.signature_problem or "")}'
    return '<span class="badge none">not signed</span>'


def _redactions(data: ReportData) -> str:
    if not data.redactions:
        return "none"
    return ", ".join(f'<span class="mono">{esc(rule)}</span> {plural(len(found.values), "value")} '
                     f"({plural(found.occurrences, 'occurrence')})"
                     for rule, found in data.redactions.items())


def _facts(data: ReportData) -> str:
    summary = data.summary
    client = summary.client
    client_text = "unknown" if client is None else " ".join(
        part for part in (client.name, client.version or "") if part)
    workspace = summary.workspace
    where = esc(workspace.root_name)
    if workspace.git_remote:
        where += f' · <span class="mono">{esc(workspace.git_remote)}</span>'
    if workspace.head_at_start:
        head = workspace.head_at_start
        where += f' · at <span class="mono" title="{esc(head)}">{esc(head[:12])}</span>'
    steps = f"{summary.steps:,}" + (f" (from {summary.first_t_ms:,} ms to {summary.last_t_ms:,} ms)"
                                    if summary.first_t_ms is not None else "")
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in
                      sorted(summary.kinds.items(), key=lambda item: (-item[1], item[0]))) or "none"
    facts = [
        ("Started", _utc(summary, 0)),
        ("Ended", _utc(summary, summary.duration_ms)),
        ("Duration", clock(summary.duration_ms)),
        ("Steps", steps),
        ("Kinds", kinds),
        ("Client", esc(client_text)),
        ("Encoding", esc(summary.position_encoding)),
        ("Workspace", where),
        ("Signature", _signature(summary)),
        ("Redactions", _redactions(data)),
        ("Format", f"version {summary.read_version}/{summary.write_version}, "
                   f"{plural(summary.chunk_count, 'chunk')}, sha256 "
                   f'<span class="mono" title="{esc(summary.sha256)}">{esc(summary.sha256[:16])}…</span>'),
    ]
    if summary.skipped:
        skipped = ", ".join(f"{esc(kind)} {count:,}" for kind, count in sorted(summary.skipped.items()))
        facts.append(("Skipped", f"steps of kinds this codetape does not know: {skipped}"))
    cells = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in facts)
    return f'<section class="panel" id="summary"><dl class="facts">{cells}</dl></section>'


def _total(data: ReportData, name: str) -> int:
    return sum(getattr(b, name) for b in data.timeline.bins)


def _cards(data: ReportData) -> str:
    summary = data.summary
    changed = sum(1 for report in data.files if report.changed)
    passed, failed = _total(data, "tests_passed"), _total(data, "tests_failed")
    commands, bad = summary.kinds["command"], _total(data, "commands_failed")
    commits = summary.kinds["git"]
    cards = [
        ("", clock(summary.duration_ms).rsplit(".", 1)[0], "duration"),
        ("", f"{summary.steps:,}", "steps"),
        ("edit", f"{summary.kinds['edit']:,}", "edits"),
        ("save", f"{summary.kinds['save']:,}", "saves"),
        ("file_change", f"{changed:,}<small> / {len(data.files):,}</small>", "files changed"),
        ("test_run", f'<span class="good">{passed:,}</span> / <span class="bad">{failed:,}</span>'
                     if passed + failed else "0", "test runs passed / failed"),
        ("command", f"{commands:,}",
         "commands" + (f' · <span class="bad">{bad:,} failed</span>' if bad else "")),
        ("git", f"{commits:,}", "git operations"),
        ("diagnostics", f'<span class="bad">{data.errors_at_end:,}</span> / {data.warnings_at_end:,}',
         "errors / warnings at the end"),
    ]
    if data.timeline.gaps_total:
        cards.append(("gap", f"{data.timeline.gaps_total:,}", "gaps in the recording"))
    out = "".join(f'<div class="card k-{kind}"><div class="n">{value}</div><div class="l">{label}</div></div>'
                  for kind, value, label in cards)
    return f'<div class="cards" id="cards">{out}</div>'


def _alerts(data: ReportData) -> Iterable[str]:
    summary = data.summary
    if summary.consent_frame and summary.signed_by is None:
        yield (f'<p class="alert bad">This episode carries a consent statement that does not verify: '
               f"{esc(summary.signature_problem or 'unknown problem')}</p>")
    if data.problem is not None:
        yield f'<p class="alert bad">{esc(data.problem)}</p>'


def _legend_item(kind: str, text: str, extra: str = "") -> str:
    return f'<span class="k-{kind}"><i class="{extra}"></i>{text}</span>'


def _timeline(data: ReportData) -> str:
    legend = [_legend_item("edit", "edits"), _legend_item("save", "saves"),
              '<span><i class="lg-error"></i>errors</span>',
              '<span><i class="lg-warning"></i>warnings</span>',
              '<span><i class="lg-pass"></i>passed / exit 0</span>',
              '<span><i class="lg-fail"></i>failed / non-zero exit</span>', _legend_item("git", "git")]
    if data.timeline.gaps_total:
        legend.append(_legend_item("gap", "gap (not recorded)", "gapkey"))
    return ("<h2>Timeline <small>hover a column for what happened then; click it to list its steps</small>"
            f'</h2><section class="panel" id="timeline-panel">{render_chart(data.timeline)}'
            f'<div class="legend">{"".join(legend)}</div></section>')


def _activity(activity: FileActivity | None) -> str:
    if activity is None:
        return ""
    parts = [(activity.opens, "open"), (activity.edits, "edit"), (activity.saves, "save"),
             (activity.changes, "change on disk")]
    return " · ".join(plural(count, name) for count, name in parts if count)


def _blocks(report: FileReport) -> str:
    total = report.added + report.removed
    if not total:
        return ""
    added = round(5 * report.added / total)
    added = max(added, 1) if report.added else 0
    removed = min(5 - added, max(round(5 * report.removed / total), 1 if report.removed else 0))
    cells = ["a"] * added + ["d"] * removed + [""] * (5 - added - removed)
    return '<span class="blocks">' + "".join(f'<i class="{cell}"></i>' for cell in cells) + "</span>"


def _diff_line(line: str) -> str:
    cls = "h" if line.startswith("@@") else "m" if line.startswith(("--- ", "+++ ", "\\")) else \
        "a" if line.startswith("+") else "d" if line.startswith("-") else "c"
    return f'<span class="{cls}">{esc(line) or " "}</span>'


def _file(report: FileReport, opened: bool, episode_id: str) -> str:
    delta = "" if not report.total_lines else (
        f'<span class="delta"><span class="a">+{report.added:,}</span> <span class="d">−{report.removed:,}'
        f"</span>{_blocks(report)}</span>")
    head = (f'<summary><span class="status {report.status.split()[0]}">{esc(report.status)}</span>'
            f'<span class="path">{esc(report.path)}</span>{delta}'
            f'<span class="act">{_activity(report.activity)}</span></summary>')
    body = [f'<div class="note">{esc(report.note)}</div>'] if report.note else []
    if report.lines:
        body.append('<pre class="diff">' + "".join(_diff_line(line) for line in report.lines) + "</pre>")
    if report.cut:
        body.append(f'<p class="cut">{plural(report.cut, "more diff line")} not shown here: '
                    f'<span class="mono">codetape diff {esc(episode_id[:8])} start end</span> prints '
                    "the whole workspace diff</p>")
    if not body:
        body.append('<p class="cut">no change between its first recorded text and the end</p>')
    return f'<details class="file"{" open" if opened else ""}>{head}{"".join(body)}</details>'


def _files(data: ReportData) -> str:
    changed = sum(1 for report in data.files if report.changed)
    budget, out = OPEN_TOTAL_LINES, []
    for report in data.files:
        opened = report.changed and 0 < len(report.lines) <= min(OPEN_FILE_LINES, budget)
        budget -= len(report.lines) if opened else 0
        out.append(_file(report, opened, data.summary.episode_id))
    if not out:
        out.append('<p class="empty">the episode touches no file</p>')
    return (f"<h2>Files <small>{changed:,} changed of {len(data.files):,}; each diff runs from the file's "
            "first recorded text to its text at the end</small></h2>"
            '<section class="panel" id="files"><div class="toolbar"><button id="files-open" type="button">'
            'Expand all</button><button id="files-close" type="button">Collapse all</button></div>'
            f'{"".join(out)}</section>')


def _steps(data: ReportData) -> str:
    rows = data.rows
    kinds = sorted({row.kind for row in rows.rows})
    chips = "".join(f'<button type="button" class="chip k-{kind}" data-kind="{kind}" aria-pressed="true">'
                    f"{kind}</button>" for kind in kinds)
    notes = []
    if rows.cut_at is not None:
        cut = rows.cut_at
        kept = ", ".join(sorted(kind.replace("_", " ") for kind in EVENT_KINDS))
        notes.append(f'<p class="capnote" id="cap-note">This list holds {len(rows.rows):,} of the episode\'s '
                     f"{rows.total:,} rows, to keep the file small: from step #{cut.first:,} "
                     f"({clock(cut.t_ms)}) on it shows only {kept}. "
                     f'<span class="mono">codetape cat {esc(data.summary.episode_id[:8])}</span> prints '
                     "every step.</p>")
    return (f"<h2>Steps <small>{data.summary.steps:,} steps in {rows.total:,} rows; runs of edits or caret "
            "moves in one file are one row</small></h2>"
            '<section class="panel" id="steps"><div class="toolbar">'
            '<input id="step-search" type="search" autocomplete="off" spellcheck="false" '
            'placeholder="Search: file, kind, text, #step  (press /)" aria-label="search steps">'
            '<button type="button" id="window-chip" hidden></button>'
            f'<span id="step-count"></span></div><div class="toolbar chips">{chips}</div>{"".join(notes)}'
            '<div class="scroll"><table class="steps"><colgroup><col class="c-step"><col class="c-time">'
            '<col class="c-kind"><col class="c-path"><col></colgroup><thead><tr><th>Step</th><th>Time</th>'
            '<th>Kind</th><th>File</th><th>What happened</th></tr></thead>'
            '<tbody id="step-rows"></tbody></table></div>'
            '<div class="pager"><span id="page-info"></span><button type="button" id="page-prev">Previous'
            '</button><button type="button" id="page-next">Next</button></div></section>')
