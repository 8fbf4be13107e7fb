"""The player's panes as rich Text: only the lines in view, the edit position in reverse video."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from rich.text import Text

from collector.replay.describe import describe
from collector.replay.render import (
    LINE_STYLE,
    MARK_STYLE,
    event_view,
    file_view,
    follow,
    status_view,
    wall_clock,
)
from collector.replay.seek import Event
from collector.replay.state import Mark
from schemas import step_from_dict
from schemas.steps import Diagnostic
from tests.fixtures.make_golden import FULL_HEADER
from tests.structs import make

LINES = ["def f(x):\n", "    return x + 1\n", "\n", "print(f(2))\n", ""]


def styled(text: Text, style: str) -> list[str]:
    """Each line of `text` with only the characters carrying `style` kept (others as spaces)."""
    plain = text.plain
    keep = [False] * len(plain)
    for span in text.spans:
        if str(span.style) == style:
            for offset in range(span.start, min(span.end, len(plain))):
                keep[offset] = True
    shown = "".join(ch if keep[i] or ch == "\n" else " " for i, ch in enumerate(plain))
    return [line.rstrip() for line in shown.split("\n")]


def test_follow_keeps_the_caret_in_view_with_a_margin() -> None:
    assert follow(0, 5, 20, 100) == 0
    assert follow(0, 18, 20, 100) == 2  # scrolls just enough to keep 3 lines below the caret
    assert follow(30, 28, 20, 100) == 25
    assert follow(0, 80, 20, 100) == 70  # a jump far away puts the caret in the middle
    assert follow(0, 99, 20, 100) == 80  # never past the last line
    assert follow(50, 3, 20, 100) == 0
    assert follow(5, 5, 0, 100) == 0


def test_the_edit_position_is_in_reverse_on_a_highlighted_line() -> None:
    text = file_view(LINES, Mark((1, 11), (1, 16)), [], "utf-16", 0, 6, 40)
    lines = [line.rstrip() for line in text.plain.split("\n")]
    assert lines == ["1   def f(x):", "2       return x + 1", "3", "4   print(f(2))", "5", "~"]
    assert styled(text, MARK_STYLE)[1] == "               x + 1"
    assert styled(text, LINE_STYLE)[1].strip().startswith("return x + 1")
    assert [line.strip() for line in styled(text, LINE_STYLE)] == ["", "return x + 1", "", "", "", ""]


def test_a_caret_without_a_span_marks_one_cell_even_at_the_end_of_a_line() -> None:
    text = file_view(LINES, Mark((0, 9), (0, 9)), [], "utf-16", 0, 2, 40)
    reverse = [span for span in text.spans if str(span.style) == MARK_STYLE]
    assert len(reverse) == 1 and reverse[0].end - reverse[0].start == 1
    assert text.plain[reverse[0].start] == " "  # the cell after "def f(x):"


def test_positions_count_utf16_units_and_tabs_and_controls_stay_in_place() -> None:
    lines = ["\tx = '😀é' \x1b\n", ""]
    # "😀" is two utf-16 units (6 and 7): the span from unit 8 to 9 is "é"
    text = file_view(lines, Mark((0, 8), (0, 9)), [], "utf-16", 0, 1, 40)
    assert text.plain.rstrip() == "1   " + "    x = '😀é' \u241b"
    assert styled(text, MARK_STYLE)[0].strip() == "é"


def test_diagnostics_are_underlined_and_flagged_in_the_gutter() -> None:
    warning = make(Diagnostic, {"range": {"start": {"line": 0, "character": 4},
                                                   "end": {"line": 0, "character": 5}},
                                         "severity": 2, "message": "w"})
    error = make(Diagnostic, {"range": {"start": {"line": 0, "character": 6},
                                                 "end": {"line": 1, "character": 10}},
                                       "severity": 1, "message": "e"})
    text = file_view(LINES, None, [warning, error], "utf-16", 0, 3, 40)
    assert [line[:4] for line in text.plain.split("\n")] == ["1 E ", "2 E ", "3   "]
    assert styled(text, "underline yellow")[0].strip() == "f"
    assert styled(text, "underline red")[0].strip() == "x):"
    assert styled(text, "underline red")[1].strip() == "return"


def test_a_long_line_scrolls_sideways_to_show_the_caret() -> None:
    lines = ["x" * 300 + "END\n", ""]
    text = file_view(lines, Mark((0, 300), (0, 303)), [], "utf-16", 0, 1, 60)
    assert "END" in text.plain and len(text.plain) <= 60
    assert styled(text, MARK_STYLE)[0].strip() == "END"


def test_the_event_pane_shows_the_current_event_in_reverse_and_cuts_long_lines() -> None:
    events = [Event(2, 4000, "test_run", "", "1 passed 1 failed", "fail"),
              Event(11, 12_000, "git", "", 'commit a1b2c3d "calc: add() adds" (1 file)', "git"),
              Event(12, 13_000, "note", "", "now a test for it", "marker")]
    text = event_view(events, 11, 34)
    cut = '0:00:12 git    commit a1b2c3d "ca…'
    assert text.plain.split("\n") == ["0:00:04 test   1 passed 1 failed", cut,
                                      "0:00:13 note   now a test for it"]
    assert styled(text, "reverse") == ["", cut, ""]
    assert styled(text, "red")[0].startswith("0:00:04 test")


def test_an_event_fills_the_width_the_pane_has_and_is_cut_there() -> None:
    line = "pytest -q tests/unit/replay/test_render.py -k 'event and not status' --maxfail 1 -p no:randomly"
    described = describe(step_from_dict({"kind": "command", "t_ms": 1000, "source": "shell",
                                         "command_line": line, "exit_code": 1}))
    events = [Event(1, 1000, "command", "", described, "fail")]
    wide = event_view(events, 1, 200).plain
    assert wide == f'0:00:01 cmd    "{line}" exit 1'  # far past 60 columns, and whole
    narrow = event_view(events, 1, 90).plain
    assert len(narrow) == 90 and narrow.endswith("…") and wide.startswith(narrow[:-1])


def test_status_line_and_wall_clock() -> None:
    assert wall_clock(FULL_HEADER, 61_000, UTC) == "2026-03-14 09:27:54 UTC"
    assert wall_clock(FULL_HEADER, 0, timezone(timedelta(hours=2), "CEST")) == "2026-03-14 11:26:53 CEST"
    step = step_from_dict({"kind": "note", "t_ms": 61_000, "source": "cli", "text": "hi"})
    text = status_view(state="▶", position=12, count=25, t_ms=61_000, total_ms=144_000, wall="W", speed=2,
                       idle_limit=1.5, message="next commit", step=step, description="hi")
    assert text.plain.split("\n") == [
        "▶ 2x  step 12/24  0:01:01.000 / 0:02:24.000  W  idle ≤ 1.5 s  next commit", "note hi"]
