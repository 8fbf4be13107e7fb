"""What the HTML report shows, computed from an episode: timeline bins, files and diffs, step rows.

`write_hostile_episode` (every step kind, every text an attack) is shared with the render tests and the
headless-Chromium test in tests/e2e/report/test_report_browser.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode, write_episode_file
from collector.report.chart import diagnostics_levels
from collector.report.data import collect
from collector.report.files import MAX_FILE_LINES
from collector.report.rows import Rows
from collector.report.timeline import FINE_BINS, Timeline
from schemas import ClientInfo, EpisodeHeader, Step, WorkspaceIdentity, step_from_dict

PAYLOAD = '<script>alert(1)</script></script><img src=x onerror="document.title=\'pwned\'">&amp;'
HOSTILE_PATH = f"src/{PAYLOAD}.py"


def step(kind: str, t_ms: int = 0, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "cli", **fields})


def at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def insert(t_ms: int, path: str, line: int, character: int, text: str) -> Step:
    return step("edit", t_ms, path=path, changes=[{"range": {"start": at(line, character),
                                                              "end": at(line, character)}, "text": text}])


def diagnostics(t_ms: int, path: str, errors: int, warnings: int, origin: str = "pyflakes",
                message: str = "m") -> Step:
    items = [{"range": {"start": at(0, 0), "end": at(0, 1)}, "severity": severity, "message": message}
             for severity in [1] * errors + [2] * warnings]
    return step("diagnostics", t_ms, path=path, origin=origin, items=items)


def header(root_name: str = "demo", client: str = "tests") -> EpisodeHeader:
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                         started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                         workspace=WorkspaceIdentity(root_name=root_name, git_remote=PAYLOAD),
                         client=ClientInfo(name=client, version="1"))


def write(path: Path, steps: list[Step], head: EpisodeHeader | None = None) -> Path:
    write_episode_file(path, head or header(), steps)
    return path


def hostile_steps() -> list[Step]:
    """Every kind of step, each text in it an attempt to break out of the page."""
    lines = f"x = 1\n# {PAYLOAD}\n</script>\n"
    return [
        step("task", 0, action="start", statement=f"fix {PAYLOAD}"),
        step("open", 10, path=HOSTILE_PATH, language_id="python", text=lines),
        insert(1_000, HOSTILE_PATH, 0, 5, f" + 2  # {PAYLOAD}"),
        insert(1_200, HOSTILE_PATH, 3, 0, "</script><!--\n"),
        step("cursor", 1_300, path=HOSTILE_PATH, selections=[{"anchor": at(1, 0), "active": at(1, 3)}]),
        step("save", 2_000, path=HOSTILE_PATH),
        diagnostics(2_100, HOSTILE_PATH, 2, 1, origin=PAYLOAD, message=PAYLOAD),
        step("note", 3_000, text=PAYLOAD),
        step("command", 4_000, command_line=f"echo '{PAYLOAD}'", exit_code=1, output_tail=PAYLOAD),
        step("command", 4_500, argv=["pytest", PAYLOAD], exit_code=0, duration_ms=800),
        step("command", 4_700, command_line="make"),
        step("test_run", 5_000, tests=[
            {"nodeid": f"test_x.py::{PAYLOAD}", "outcome": "failed", "summary": PAYLOAD},
            {"nodeid": "test_x.py::ok", "outcome": "passed"}]),
        step("file_change", 6_000, path=f"docs/{PAYLOAD}.md", change="created", text=f"{PAYLOAD}\n"),
        step("file_change", 6_100, path="img.png", change="created", omitted="binary", size=10),
        step("git", 7_000, op="commit", sha="a1b2c3d4e5f6", message=f"{PAYLOAD}\n\nbody {PAYLOAD}",
             ref=f"refs/heads/{PAYLOAD}", files=[{"path": HOSTILE_PATH, "added": 2}]),
        step("gap", 8_000, reason="paused", detail=PAYLOAD, until_ms=9_000,
             state=[{"path": "gone.txt", "text": None}, {"path": "reset.txt", "text": f"{PAYLOAD}\n"}]),
        step("redaction", 9_500, rule="aws-access-key", placeholder="«redacted:aws-access-key:1»", count=3),
        step("redaction", 9_600, rule="aws-access-key", placeholder="«redacted:aws-access-key:2»", count=1),
        diagnostics(9_700, HOSTILE_PATH, 0, 0, origin=PAYLOAD),
        step("close", 9_800, path=HOSTILE_PATH),
        step("task", 10_000, action="done", outcome="fail"),
    ]


def write_hostile_episode(path: Path) -> Path:
    return write(path, hostile_steps(), header(root_name=PAYLOAD, client=PAYLOAD))


def test_the_hostile_episode_is_summed_up_whole(tmp_path: Path) -> None:
    data = collect(open_episode(write_hostile_episode(tmp_path / "h.ctape")))
    assert data.problem is None
    assert data.summary.steps == len(hostile_steps())
    assert {rule: (len(found.values), found.occurrences) for rule, found in data.redactions.items()} == {
        "aws-access-key": (2, 4)}
    assert [(task.action, task.outcome) for task in data.tasks] == [("start", None), ("done", "fail")]
    assert (data.errors_at_end, data.warnings_at_end) == (0, 0)
    files = {report.path: report for report in data.files}
    assert files[HOSTILE_PATH].status == "modified"
    assert (files[HOSTILE_PATH].added, files[HOSTILE_PATH].removed) == (2, 1)
    assert files[f"docs/{PAYLOAD}.md"].status == "added"
    assert files["img.png"].status == "not recorded"
    assert files["reset.txt"].status == "unchanged"  # first recorded by the gap, never changed after
    assert files["gone.txt"].status == "added and deleted"
    bins = data.timeline.bins
    assert sum(b.edits for b in bins) == 2 and sum(b.saves for b in bins) == 1
    assert (sum(b.commands_ok for b in bins), sum(b.commands_failed for b in bins),
            sum(b.commands_other for b in bins)) == (1, 1, 1)
    assert (sum(b.tests_passed for b in bins), sum(b.tests_failed for b in bins)) == (0, 1)
    assert (sum(b.git for b in bins), sum(b.notes for b in bins), sum(b.gaps for b in bins)) == (1, 3, 1)
    assert [(gap.t_ms, gap.until_ms, gap.reason) for gap in data.timeline.gaps] == [(8_000, 9_000, "paused")]


def test_timeline_bins_cover_the_episode_and_keep_every_count() -> None:
    timeline = Timeline()
    for index in range(3 * FINE_BINS):
        timeline.add(index, insert(index * 7, "a.py", 0, 0, "x"))
    timeline.add(3 * FINE_BINS, step("save", 3 * FINE_BINS * 7, path="a.py"))
    assert len(timeline._bins) <= FINE_BINS and timeline.width > 1
    view = timeline.view(100)
    assert len(view.bins) == 100 and view.span_ms == 3 * FINE_BINS * 7 + 1
    assert sum(b.edits for b in view.bins) == 3 * FINE_BINS
    assert view.bins[-1].saves == 1 and sum(b.saves for b in view.bins) == 1
    assert view.bins[0].first_step == 0
    assert all(b.edits > 0 for b in view.bins[:-1])  # evenly spread edits land in every bin


def test_a_bin_keeps_a_few_labels_and_counts_the_rest() -> None:
    timeline = Timeline()
    for index in range(7):
        timeline.add(index, step("command", 0, command_line=f"make {index}", exit_code=index % 2))
    only = timeline.view(1).bins[0]
    assert (only.commands_ok, only.commands_failed) == (4, 3)
    assert len(only.labels) == 4 and only.more_labels == 3
    assert only.labels[0] == 'command "make 0" exit 0'


def test_diagnostics_count_what_is_outstanding_per_file_and_origin() -> None:
    timeline = Timeline()
    published = [diagnostics(0, "a.py", 2, 1), diagnostics(100, "b.py", 1, 0),
                 diagnostics(200, "a.py", 0, 3),  # replaces a.py's set from the same origin
                 diagnostics(300, "a.py", 1, 0, origin="mypy"),  # another origin adds to it
                 diagnostics(900, "b.py", 0, 0)]  # cleared
    for index, made in enumerate(published):
        timeline.add(index, made)
    assert (timeline.diagnostics.errors, timeline.diagnostics.warnings) == (1, 3)
    levels = diagnostics_levels(timeline.view(10))
    assert levels[:4] == [(2, 1), (3, 1), (3, 3), (2, 3)]  # the most outstanding in each slice
    assert levels[5] == (2, 3)  # nothing happened here: the state carried over
    assert levels[9] == (2, 3)  # b.py cleared: what was outstanding as the slice began still counts


def test_edits_and_caret_moves_in_one_file_make_one_row() -> None:
    rows = Rows()
    made = [step("open", 0, path="a.py", text=""), insert(1, "a.py", 0, 0, "ab"),
            insert(2, "a.py", 0, 2, "c"),
            step("cursor", 3, path="a.py", selections=[{"anchor": at(0, 0), "active": at(0, 0)}]),
            step("cursor", 4, path="a.py", selections=[{"anchor": at(0, 1), "active": at(0, 1)}]),
            insert(5, "b.py", 0, 0, "z"), insert(6, "a.py", 0, 0, "q"), step("save", 7, path="a.py")]
    for index, one in enumerate(made):
        rows.add(index, one)
    rows.close()
    assert [(row.first, row.last, row.kind, row.path) for row in rows.rows] == [
        (0, 0, "open", "a.py"), (1, 2, "edit", "a.py"), (3, 4, "cursor", "a.py"), (5, 5, "edit", "b.py"),
        (6, 6, "edit", "a.py"), (7, 7, "save", "a.py")]
    assert rows.rows[2].text == "2 caret moves" and rows.total == 6 and rows.cut_at is None


def test_grouped_edits_say_how_much_text_they_changed(tmp_path: Path) -> None:
    made = [step("open", 0, path="a.py", text="hello\n"), insert(10, "a.py", 0, 5, " world"),
            step("edit", 20, path="a.py",
                 changes=[{"range": {"start": at(0, 0), "end": at(0, 5)}, "text": ""}])]
    data = collect(open_episode(write(tmp_path / "e.ctape", made)))
    assert [row.text for row in data.rows.rows] == ["opened, 1 line", "2 edits: +6 -5 chars"]


def test_a_long_list_keeps_only_milestones_after_its_cap() -> None:
    rows = Rows(max_rows=4, max_event_rows=2)
    made = [step("save", 0, path="a.py"), step("diagnostics", 1, path="a.py", items=[]),
            step("save", 2, path="a.py"), step("diagnostics", 3, path="a.py", items=[]),
            step("diagnostics", 4, path="a.py", items=[]), step("note", 5, text="n"),
            step("diagnostics", 6, path="a.py", items=[]), step("save", 7, path="a.py"),
            step("note", 8, text="n")]
    for index, one in enumerate(made):
        rows.add(index, one)
    rows.close()
    assert [row.first for row in rows.rows] == [0, 1, 2, 3, 5, 7]
    assert rows.total == 9 and rows.left_out == 3
    assert rows.cut_at is not None and rows.cut_at.first == 4


def test_files_start_as_first_recorded_and_end_as_reconstructed(tmp_path: Path) -> None:
    made = [
        step("open", 0, path="kept.py", text="same\n"),
        step("open", 0, path="typed.py", text="a\nb\n"), insert(5, "typed.py", 1, 0, "new\n"),
        step("file_change", 10, path="made.txt", change="created", text="one\ntwo\n"),
        step("file_change", 20, path="old.txt", change="modified", text="first\n"),
        step("file_change", 30, path="old.txt", change="modified", text="second\n"),
        step("file_change", 40, path="unseen.txt", change="deleted"),
        step("file_change", 50, path="made.txt", change="renamed", new_path="moved.txt"),
        step("open", 60, path="was.py", text="w\n"), step("close", 61, path="was.py"),
        step("file_change", 70, path="was.py", change="renamed", new_path="is.py"),
    ]
    data = collect(open_episode(write(tmp_path / "f.ctape", made)))
    files = {report.path: report for report in data.files}
    assert [report.path for report in data.files] == [  # changed first, then by path; a rename once
        "is.py", "moved.txt", "old.txt", "typed.py", "unseen.txt", "kept.py", "made.txt"]
    assert files["typed.py"].lines == [
        "--- a/typed.py", "+++ b/typed.py", "@@ -1,2 +1,3 @@", " a", "+new", " b"]
    assert (files["typed.py"].added, files["typed.py"].removed) == (1, 0)
    assert files["kept.py"].status == "unchanged" and files["kept.py"].lines == []
    # made during the episode, then renamed: what the episode ends with is an added file
    assert files["made.txt"].status == "added and deleted" and files["made.txt"].lines == []
    assert files["made.txt"].note == "renamed to moved.txt at 0:00:00.050"
    assert files["moved.txt"].status == "added" and files["moved.txt"].added == 2
    assert files["moved.txt"].note == "renamed from made.txt at 0:00:00.050"
    # there (opened) at the start and renamed: one entry, under its new path
    assert (files["is.py"].status, files["is.py"].old_path, files["is.py"].lines) == ("renamed", "was.py", [])
    assert files["is.py"].note == "renamed from was.py at 0:00:00.070"
    assert files["old.txt"].status == "modified"
    assert files["old.txt"].note == (
        "first recorded when changed on disk at 0:00:00.020; earlier content unknown")
    assert files["old.txt"].lines[-2:] == ["-first", "+second"]
    assert files["unseen.txt"].status == "deleted"
    assert files["unseen.txt"].note == "deleted at 0:00:00.040 before its content was recorded"
    assert files["typed.py"].activity is not None and files["typed.py"].activity.edits == 1


def test_long_diffs_are_cut_and_say_how_much(tmp_path: Path) -> None:
    text = "".join(f"line {number}\n" for number in range(MAX_FILE_LINES + 500))
    made = [step("file_change", 0, path="big.txt", change="created", text=text)]
    data = collect(open_episode(write(tmp_path / "big.ctape", made)))
    (big,) = data.files
    assert big.added == MAX_FILE_LINES + 500 and len(big.lines) == MAX_FILE_LINES
    assert big.cut == big.total_lines - MAX_FILE_LINES == 503  # two headers and the hunk line count too


def test_a_step_that_does_not_replay_stops_the_files_not_the_report(tmp_path: Path) -> None:
    made = [step("open", 0, path="a.py", text="a\n"), insert(10, "a.py", 0, 0, "b"),
            insert(20, "never-opened.py", 0, 0, "x"), insert(30, "a.py", 0, 0, "c"),
            step("save", 40, path="a.py")]
    data = collect(open_episode(write(tmp_path / "bad.ctape", made)))
    assert data.problem is not None and data.problem.startswith("step 2 at 0:00:00.020 does not replay")
    assert {report.path: report.lines[-1] for report in data.files if report.lines} == {"a.py": "+ba"}
    assert data.summary.steps == 5 and sum(b.saves for b in data.timeline.bins) == 1
    assert [row.first for row in data.rows.rows] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("count", [0, 1])
def test_an_episode_with_no_or_one_step_still_has_a_timeline(tmp_path: Path, count: int) -> None:
    made = [step("note", 0, text="only")][:count]
    data = collect(open_episode(write(tmp_path / "tiny.ctape", made)))
    assert data.timeline.span_ms == 1 and data.files == [] and len(data.rows.rows) == count
