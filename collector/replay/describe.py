"""One short line per step, for the plain log, the event pane and the status line.

    edit         +12 chars / -3 chars / +5 -2 chars / whole text replaced (120 chars)
    diagnostics  2 errors 1 warning (pyflakes): first message / cleared / none / unchanged
    test_run     5 passed 1 skipped / failed: test_parse, TestCli::test_run (2 of 40)
    command      "pytest -q" exit 1 in 0.9 s
    git          commit a1b2c3d "fix parser"
    gap          paused for 12 s, 3 steps not recorded: recording was paused

Texts are cut at TEXT_LIMIT characters, no shorter: whoever shows a line cuts it to the width it has.
"""

from __future__ import annotations

import shlex
from collections import Counter
from typing import assert_never

from collector.replay.state import DiagnosticsChange, EditSize, Effect
from collector.text.oneline import (
    one_line as one_line,  # (collector/verify/against_git.py takes it from here)
)
from collector.text.positions import split_lines
from collector.text.sizes import byte_size
from schemas import steps as kinds
from schemas.steps.gap import GapReason
from schemas.steps.test_run import TestOutcome

SEVERITIES = {1: "error", 2: "warning", 3: "info", 4: "hint", None: "problem"}
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
FAILING = ("failed", "error")
NAMED_FAILURES = 3  # failing tests a test run's line names; the rest are counted
TEXT_LIMIT = 240  # a wide terminal's line: a view cuts what it shows to its own width


def clock(ms: int) -> str:
    """`h:mm:ss.mmm` from milliseconds."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}.{millis:03}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


def line_count(text: str) -> int:
    """Lines in `text`, a last line without a line break included."""
    lines = split_lines(text)
    return len(lines) - (lines[-1] == "")


def step_path(step: kinds.Step) -> str:
    """The file a step is about, or "" when it is about no file."""
    path = getattr(step, "path", None)
    return one_line(path, 4096) if isinstance(path, str) else ""


def describe(step: kinds.Step, effect: Effect = None) -> str:
    """What `step` did, in a few words; `effect` (from `PlayState.apply`) says how an edit changed its
    document and what a diagnostics step replaced."""
    match step:
        case kinds.EditStep():
            return _edit(step, effect if isinstance(effect, EditSize) else None)
        case kinds.OpenStep():
            return f"opened, {plural(line_count(step.text), 'line')}"
        case kinds.CloseStep():
            return "closed: its editor is gone" if step.reason == "editor_gone" else "closed"
        case kinds.SaveStep():
            return "saved" if step.text is None else f"saved, {plural(len(step.text), 'char')}"
        case kinds.CursorStep():
            return _cursor(step)
        case kinds.DiagnosticsStep():
            return diagnostics_summary(step, effect if isinstance(effect, DiagnosticsChange) else None)
        case kinds.TestRunStep():
            return test_summary(step)
        case kinds.CommandStep():
            return _command(step)
        case kinds.GitStep():
            return _git(step)
        case kinds.FileChangeStep():
            return _file_change(step)
        case kinds.NoteStep():
            return one_line(step.text, TEXT_LIMIT)
        case kinds.TaskStep():
            if step.action == "start":
                return "start" + (f": {one_line(step.statement, TEXT_LIMIT)}" if step.statement else "")
            return "done" + (f": {step.outcome}" if step.outcome else "")
        case kinds.GapStep():
            return _gap(step)
        case kinds.RedactionStep():
            return f"{plural(step.count, 'value')} replaced by {step.placeholder} ({step.rule})"
        case kinds.AgentStep():
            return _agent(step)
        case kinds.OfferStep():
            return _offer(step)
        case _:
            assert_never(step)


_AGENT_EVENTS = {"session_start": "session started", "session_end": "session ended", "stop": "answered",
                 "tool_call": "runs", "tool_result": "ran", "prompt": "asked",
                 "permission_request": "asks to run", "permission": "was answered for"}


def _agent(step: kinds.AgentStep) -> str:
    """`claude-code asked: fix the test`, `codex ran apply_patch on a.py, b.py`, `cursor answered`."""
    said = f"{step.agent} {_AGENT_EVENTS[step.event]}"
    if step.event == "prompt":
        if step.prompt is None:
            return f"{said} (left out)"
        return f"{said}: {one_line(step.prompt, TEXT_LIMIT)}"
    if step.tool is not None:
        said += f" {one_line(step.tool, 40)}"
    if step.targets:
        more = f" (+{len(step.targets) - 3} more)" if len(step.targets) > 3 else ""
        said += " on " + ", ".join(one_line(target, 80) for target in step.targets[:3]) + more
    if step.command_line is not None:
        said += f": {one_line(step.command_line, TEXT_LIMIT)}"
    return said + (f" ({one_line(step.detail, 40)})" if step.detail is not None else "")


def _edit(step: kinds.EditStep, size: EditSize | None) -> str:
    if size is None:
        return plural(len(step.changes), "change")
    if size.whole:
        return f"whole text replaced ({plural(size.after, 'char')})"
    parts = [f"+{size.inserted:,}" if size.inserted else "", f"-{size.deleted:,}" if size.deleted else ""]
    shown = " ".join(part for part in parts if part)
    return f"{shown} char{'s' * (size.inserted + size.deleted != 1)}" if shown else "no change"


def _offer(step: kinds.OfferStep) -> str:
    """`inline by copilot-language-server (AI) at 2:5: not taken, 1 item`, `completion (keyword) at 3:1:
    accepted "total", 5 items`."""
    who = f" by {one_line(step.provider, 40)}" if step.provider else ""
    ai = " (AI)" if step.ai else ""
    where = f"{step.range.start.line + 1}:{step.range.start.character + 1}"
    count = len(step.items) + step.more
    said = step.decision.replace("_", " ")
    if step.taken is not None:
        taken = step.items[step.taken].text
        said += f' "{one_line(taken if step.taken_chars is None else taken[:step.taken_chars], 40)}"'
    return f"{step.via}{who}{ai} at {where}: {said}, {count} item{'s' * (count != 1)}"


def _cursor(step: kinds.CursorStep) -> str:
    first = step.selections[0]
    active = f"{first.active.line + 1}:{first.active.character + 1}"
    where = "caret" if first.anchor == first.active else "selection"
    more = f" (+{len(step.selections) - 1} more)" if len(step.selections) > 1 else ""
    if where == "caret":
        return f"caret {active}{more}"
    return f"selection {first.anchor.line + 1}:{first.anchor.character + 1}-{active}{more}"


def diagnostics_summary(step: kinds.DiagnosticsStep, change: DiagnosticsChange | None = None) -> str:
    """Counts by severity; `cleared` when the origin had published some, `none` when it had not."""
    origin = f" ({one_line(step.origin, 40)})" if step.origin else ""
    if not step.items:
        return f"none{origin}" if change is not None and not change.before else f"cleared{origin}"
    if change is not None and change.same_as(step):
        return f"unchanged{origin}: {plural(len(step.items), 'item')}"
    counts = Counter(SEVERITIES.get(item.severity, "problem") for item in step.items)
    shown = " ".join(plural(counts[name], name) for name in SEVERITIES.values() if counts[name])
    first = f": {one_line(step.items[0].message, TEXT_LIMIT)}" if len(step.items) == 1 else ""
    return f"{shown}{origin}{first}"


def test_summary(step: kinds.TestRunStep) -> str:
    """The outcomes counted; a run with failing tests names them first (the first NAMED_FAILURES)."""
    if not step.tests:
        return "no tests" + ("" if step.exit_status is None else f", exit {step.exit_status}")
    failing = [test for test in step.tests if test.outcome in FAILING]
    if failing:
        names = ", ".join(_test_name(test) for test in failing[:NAMED_FAILURES])
        more = f" and {len(failing) - NAMED_FAILURES:,} more" if len(failing) > NAMED_FAILURES else ""
        return f"failed: {names}{more} ({len(failing):,} of {len(step.tests):,})"
    counts: Counter[str] = Counter(test.outcome for test in step.tests)
    return " ".join(f"{counts[outcome]:,} {outcome}" for outcome in OUTCOMES if counts[outcome])


def _test_name(test: TestOutcome) -> str:
    """A test's id without its file or package (`tests/test_a.py::TestX::test_y` -> `TestX::test_y`), and
    how it failed when it was not an assertion: `(error)`, or `(not collected)` for a file or module."""
    if test.kind == "collection":
        return f"{one_line(test.nodeid, TEXT_LIMIT)} (not collected)"
    parts = test.nodeid.split("::")
    name = one_line("::".join(parts[1:] if len(parts) > 1 else parts), TEXT_LIMIT)
    return f"{name} (error)" if test.outcome == "error" else name


def test_failed(step: kinds.TestRunStep) -> bool:
    return any(test.outcome in ("failed", "error") for test in step.tests) or (
        not step.tests and step.exit_status not in (None, 0))


def _command(step: kinds.CommandStep) -> str:
    line = step.command_line if step.command_line is not None else shlex.join(step.argv or [])
    shown = f'"{one_line(line, TEXT_LIMIT)}"'
    if step.cwd != ".":
        shown += f" in {one_line(step.cwd, TEXT_LIMIT)}"
    if step.exit_code is not None:
        shown += f" exit {step.exit_code}"
    if step.duration_ms:
        shown += f" after {step.duration_ms / 1000:.1f} s"
    return shown


def _git(step: kinds.GitStep) -> str:
    parts: list[str] = [step.op.replace("_", " ")]
    if step.sha:
        parts.append(step.sha[:7])
    summary = (step.message or "").strip()
    if step.op == "commit" and summary:
        parts.append(f'"{one_line(summary.splitlines()[0], TEXT_LIMIT)}"')
    elif step.ref:
        parts.append(one_line(step.ref, TEXT_LIMIT))
    if step.op != "commit" and (step.old or step.new):
        parts.append(f"{(step.old or '0000000')[:7]} -> {(step.new or '0000000')[:7]}")
    if step.op == "commit" and step.files:
        parts.append(f"({plural(len(step.files), 'file')})")
    return " ".join(parts)


def _file_change(step: kinds.FileChangeStep) -> str:
    if step.change == "renamed":
        return f"renamed to {one_line(step.new_path or '?', 200)}"
    if step.change == "deleted":
        return "deleted"
    if step.link is not None:
        return f"{step.change} (link to {one_line(step.link, 200)}, not followed)"
    if step.omitted is not None:
        what = "binary" if step.omitted == "binary" else "too large"
        size = f", {byte_size(step.size)}" if step.size is not None else ""
        return f"{step.change} ({what}, content not recorded{size})"
    if step.text is not None:
        return f"{step.change}, {plural(len(step.text), 'char')}"
    return step.change


# What each gap was, and what became of the steps it counts (`lost_steps`): recorded nowhere, taken out on
# purpose, refused as invalid or unreadable after damage.
_GAPS: dict[GapReason, tuple[str, str]] = {
    "paused": ("paused", "not recorded"),
    "collector_unreachable": ("collector unreachable", "not recorded"),
    "recorder_behind": ("recorder fell behind", "not recorded"),
    "watcher_overflow": ("file watcher overflowed", "not recorded"),
    "journal_corrupt": ("journal damaged", "unreadable, left out"),
    "dropped_by_review": ("dropped in review", "removed"),
    "malformed_input": ("malformed input", "refused"),
    "unreadable_file": ("unreadable file", "not recorded"),
    "resync": ("resync", "not recorded"),
    "snapshot": ("snapshot", "not recorded"),
    "other": ("", "not recorded"),  # its detail says what
}


def _gap(step: kinds.GapStep) -> str:
    """`paused for 12 s, 3 steps not recorded: recording was paused`, `dropped in review, 3 steps removed,
    2 files reset` (a detail that only counts the steps it names is not said again)."""
    what, fate = _GAPS[step.reason]
    lasted = "" if step.until_ms is None else f"for {max(step.until_ms - step.t_ms, 0) / 1000:g} s"
    said = [f"{what} {lasted}".strip()] if what or lasted else []
    if step.lost_steps:
        said.append(f"{plural(step.lost_steps, 'step')} {fate}")
    if step.state is not None:
        said.append(plural(len(step.state), "file") + (" on disk" if step.on_disk_only else " reset"))
    text = ", ".join(said) or "not recorded"
    counted = step.lost_steps is not None and step.detail == f"{plural(step.lost_steps, 'step')} {what}"
    return f"{text}: {one_line(step.detail, TEXT_LIMIT)}" if step.detail and not counted else text
