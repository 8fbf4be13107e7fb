"""The player's panes as rich Text from the state at one step: pure functions, testable without a screen.

Only the lines in view are rendered, so a frame costs the same for a 10-line file and a 10,000-line one.
The file pane marks the edit position (the text the last edit inserted, or the caret, in reverse video)
on a highlighted line, underlines diagnostics and flags their lines in the gutter (E, W, I, H).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, tzinfo
from pathlib import PurePosixPath

from rich.text import Text

from collector.replay.describe import clock, describe, step_path
from collector.replay.seek import Event, Tone
from collector.replay.state import Mark
from collector.text.positions import content_of, to_index
from schemas import EpisodeHeader, Step
from schemas.common import PositionEncoding
from schemas.steps import Diagnostic

MARGIN = 3
LINE_STYLE = "on grey23"
MARK_STYLE = "reverse"
GUTTER_STYLE = "grey50"
SEVERITY = {1: ("E", "red"), 2: ("W", "yellow"), 3: ("I", "blue"), 4: ("H", "grey62")}
TONES: dict[Tone, str] = {"": "", "fail": "red", "pass": "green", "warn": "yellow", "git": "magenta",
                          "marker": "bold cyan", "gap": "grey62"}
KINDS = {"diagnostics": "diag", "test_run": "test", "command": "cmd", "file_change": "file",
         "redaction": "redact"}


def follow(top: int, line: int, height: int, total: int) -> int:
    """The first line to show so that `line` stays in view, `MARGIN` lines from the edges when it can."""
    if height <= 0:
        return 0
    margin = min(MARGIN, (height - 1) // 2)
    if line < top + margin:
        top = line - margin if line >= top - height else line - height // 2
    elif line > top + height - 1 - margin:
        top = line - height + 1 + margin if line <= top + 2 * height else line - height // 2
    return max(0, min(top, max(total - height, 0)))


def _visible(content: str) -> tuple[str, list[int]]:
    """`content` as shown (tabs expanded to 4 columns, control characters as symbols) and, for every
    character index (and one past the end), its column in what is shown."""
    if content.isprintable():
        return content, list(range(len(content) + 1))
    shown: list[str] = []
    columns = [0]
    for ch in content:
        if ch == "\t":
            shown.append(" " * (4 - columns[-1] % 4))
        elif not ch.isprintable():
            shown.append(chr(0x2400 + ord(ch)) if ord(ch) < 32 else "\N{REPLACEMENT CHARACTER}")
        else:
            shown.append(ch)
        columns.append(columns[-1] + len(shown[-1]))
    return "".join(shown), columns


def file_view(lines: Sequence[str], mark: Mark | None, diagnostics: Sequence[Diagnostic],
              encoding: PositionEncoding, top: int, height: int, width: int) -> Text:
    """Lines `top` to `top + height` of a document (lines with their terminators), `width` cells wide."""
    digits = len(str(len(lines)))
    gutter = digits + 3
    span = None if mark is None else mark.span
    caret_line = None if mark is None else mark.active[0]
    rows: list[tuple[int, str, list[int], list[tuple[int, int, str]], str]] = []
    caret_column = 0
    for number in range(top, min(top + height, len(lines))):
        content = content_of(lines[number])
        shown, columns = _visible(content)
        styles: list[tuple[int, int, str]] = []
        flag = ""
        for item in diagnostics:
            cols = _columns(content, columns, number, item.range.start.line, item.range.start.character,
                            item.range.end.line, item.range.end.character, encoding)
            if cols is None:
                continue
            letter, colour = SEVERITY.get(item.severity or 1, SEVERITY[1])
            styles.append((cols[0], max(cols[1], cols[0] + 1), f"underline {colour}"))
            if not flag or "EWIH".index(letter) < "EWIH".index(flag[0]):
                flag = f"{letter} {colour}"
        if span is not None:
            (sl, sc), (el, ec) = span
            cols = _columns(content, columns, number, sl, sc, el, ec, encoding)
            if cols is not None:
                styles.append((cols[0], max(cols[1], cols[0] + 1), MARK_STYLE))
        if number == caret_line and mark is not None:
            caret_column = columns[to_index(content, mark.active[1], encoding)]
        rows.append((number, shown, columns, styles, flag))
    room = max(width - gutter, 1)
    left = max(caret_column - room * 2 // 3, 0) if caret_column >= room - 4 else 0
    text = Text(no_wrap=True, overflow="crop", end="")
    for row, (number, shown, _, styles, flag) in enumerate(rows):
        if row:
            text.append("\n")
        letter, _, colour = flag.partition(" ")
        text.append(f"{number + 1:>{digits}} ", style=GUTTER_STYLE)
        text.append(f"{letter or ' '} ", style=colour or GUTTER_STYLE)
        line = Text((shown + " ")[left : left + room], end="")
        for start, end, style in styles:
            if end > left:
                line.stylize(style, max(start - left, 0), end - left)
        if number == caret_line:
            line.pad_right(room - line.cell_len)
            line.stylize(LINE_STYLE)
        text.append_text(line)
    for _ in range(height - len(rows)):
        text.append("\n" if text.plain else "")
        text.append(f"{'~':>{digits}}", style=GUTTER_STYLE)
    return text


def _columns(content: str, columns: list[int], number: int, sl: int, sc: int, el: int, ec: int,
             encoding: PositionEncoding) -> tuple[int, int] | None:
    """Shown columns of the part of a range on line `number`, or None when the range misses the line."""
    if not sl <= number <= el:
        return None
    start = to_index(content, sc, encoding) if number == sl else 0
    end = to_index(content, ec, encoding) if number == el else len(content) + 1
    return columns[start], columns[min(end, len(content))] + (end > len(content))


def event_view(events: Sequence[Event], current: int, width: int) -> Text:
    """The events up to the current step, one line each (a command at its start, the test runs it ran
    indented under it), the current one (if an event) in reverse."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for row, event in enumerate(events):
        if row:
            text.append("\n")
        name = PurePosixPath(event.path).name if event.path else ""
        kind = "  " * event.under + KINDS.get(event.kind, event.kind)  # a test run a command ran: under it
        line = Text(f"{clock(event.t_ms)[:-4]} {kind:<6} "
                    f"{name + ' ' if name else ''}{event.text}", style=TONES[event.tone], end="")
        line.truncate(width, overflow="ellipsis")
        if event.index == current:
            line.stylize("reverse")
        text.append_text(line)
    return text


def wall_clock(header: EpisodeHeader, t_ms: int, tz: tzinfo | None) -> str:
    """When a step happened, in `tz` (None: the local time zone)."""
    moment = (header.started_at + timedelta(milliseconds=t_ms)).astimezone(tz)
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def status_view(*, state: str, position: int, count: int, t_ms: int, total_ms: int, wall: str,
                speed: float, idle_limit: float | None, message: str, step: Step | None,
                description: str) -> Text:
    """Two lines: where playback is (step, episode time, wall-clock time, speed) and the current step."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(f"{state} ", style="bold")
    text.append(f"{speed:g}x", style="bold")
    text.append(f"  step {position:,}/{count - 1:,}  {clock(t_ms)} / {clock(total_ms)}  {wall}")
    if idle_limit is not None:
        text.append(f"  idle ≤ {idle_limit:g} s", style=GUTTER_STYLE)
    if message:
        text.append(f"  {message}", style="italic")
    text.append("\n")
    if step is not None:
        path = step_path(step)
        text.append(f"{step.kind} ", style="bold")
        text.append(f"{path + '  ' if path else ''}{description or describe(step)}")
    return text
