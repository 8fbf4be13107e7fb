"""A formatter's changes in the dataset's `edits` (issue 90): a format on save, whether the language server
computed it (an edit the bridge narrowed to the lines it changed, lsp_bridge/capture/sync.py `formatted`)
or a command the editor ran on write (a `file_change` of origin `format`, collector/daemon/formats.py),
gives rows of origin `format` for exactly the places it changed, and the lines it wrote again unchanged
keep their own rows and labels."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import msgspec
from hypothesis import assume, given

from collector.text.linediff import line_runs
from lsp_bridge.capture.sync import formatted
from tests.unit.dataset.test_survival import edit, opened, saved, tables

SAVED = "a=1\nLIMIT=10\nb = 2\nc = 3\n"  # the agent's line and the developer's first, neither formatted
FORMATTED = "a = 1\nLIMIT = 10\nb = 2\nc = 3\n"
COLUMNS = ("step", "change", "origin", "start_line", "start_character", "end_line", "end_character",
           "start_offset", "end_offset", "inserted", "deleted", "survived_to_end")


def written(t_ms: int, before: str, after: str, origin: str = "format") -> dict[str, Any]:
    """A write to disk of `after` over `before`, as the daemon records a formatter's on save."""
    step = {"kind": "file_change", "t_ms": t_ms, "source": "watcher", "path": "a.py", "change": "modified",
            "text": after, "origin": origin}
    if origin == "format":
        step |= {"origin_detail": "collector:saved then reloaded",
                 "changed_lines": [list(run) for run in line_runs(before, after)]}
    return step


def reloaded(t_ms: int, text: str, how: str) -> list[dict[str, Any]]:
    """The editor reading the file in again: Neovim's close and open, VS Code's whole-text edit."""
    if how == "close+open":
        return [{"kind": "close", "t_ms": t_ms, "source": "lsp", "path": "a.py"}, opened(t_ms + 1, text)]
    return [{"kind": "edit", "t_ms": t_ms, "source": "lsp", "path": "a.py", "changes": [{"text": text}]}]


def rows(steps: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    table = tables(steps)["edits"]
    return list(zip(*(table.column(name).to_pylist() for name in COLUMNS), strict=True))


def test_a_formatter_run_on_save_owns_the_places_it_changed_and_nothing_else() -> None:
    for how in ("close+open", "edit"):
        steps = [opened(0, "a=1\nb = 2\n"), written(10, "a=1\nb = 2\n", "a=1\nLIMIT=10\nb = 2\n", "agent"),
                 *reloaded(20, "a=1\nLIMIT=10\nb = 2\n", how),
                 edit(5000, 0, 0, "c = 3\n", line=3), saved(5100)]
        formatted_at = len(steps)
        steps += [written(5200, SAVED, FORMATTED), *reloaded(5300, FORMATTED, how),
                  edit(9000, 0, 0, "d = 4\n", line=4), saved(9100)]
        typed_at = len(steps) - 2
        assert rows(steps) == [
            (formatted_at - 2, 0, "typed", 3, 0, 3, 0, 19, 19, "c = 3\n", "", 1.0),
            # from the last place, as the bridge sends an LSP format's: the agent's line, then a = 1
            (formatted_at, 0, "format", 1, 5, 1, 6, 9, 10, " = ", "=", 1.0),
            (formatted_at, 1, "format", 0, 1, 0, 2, 1, 2, " = ", "=", 1.0),
            (typed_at, 0, "typed", 4, 0, 4, 0, 29, 29, "d = 4\n", "", 1.0)], how


def test_a_formatter_s_place_rewritten_later_is_reverted_there() -> None:
    steps = [opened(0, "a=1\n"), saved(10), written(20, "a=1\n", "a = 1\n"), *reloaded(30, "a = 1\n", "edit"),
             edit(5000, 1, 4, "=", line=0), saved(5100)]
    assert [(row[0], row[2], row[-1]) for row in rows(steps)] == [(2, "format", 0.0), (4, "typed", 1.0)]
    table = tables(steps)["edits"]
    assert table.column("reverted_at_step").to_pylist() == [4, None]


def test_a_formatter_s_write_the_editor_never_read_in_did_not_stay() -> None:
    """The buffer saved over the write (Neovim's W12 answered with the buffer kept): still the format's
    rows, none of it left, nothing that removed it (it was never shown)."""
    steps = [opened(0, "a=1\n"), saved(10), written(20, "a=1\n", "a = 1\n"), saved(30)]
    assert [(row[0], row[2], row[-1]) for row in rows(steps)] == [(2, "format", 0.0)]
    assert tables(steps)["edits"].column("reverted_at_step").to_pylist() == [None]


LINES = st.sampled_from(["a=1", "a = 1", "x( 1 )", "x(1)", "", "    pass", "def f():", "é = 'ü'", "😀=1"])


@given(st.lists(LINES, min_size=1, max_size=8), st.lists(LINES, min_size=1, max_size=8))
def test_a_format_by_command_gives_the_rows_an_lsp_format_gives(old: list[str], new: list[str]) -> None:
    """However the editor ran the formatter, its rows are the same: one per place it changed, each within
    the runs of lines the write changed (`changed_lines`), the rest of the file no row of its own."""
    before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
    assume(before != after)
    by_command = rows([opened(0, before), saved(10), written(20, before, after),
                       *reloaded(30, after, "close+open")])
    changes, _ = formatted(before, after, "utf-16", ()) or ([], {})
    by_server = rows([opened(0, before), saved(10),
                      {"kind": "edit", "t_ms": 20, "source": "lsp", "path": "a.py", "origin": "format",
                       "changes": msgspec.to_builtins(changes)}])
    assert [row[1:] for row in by_command] == [row[1:] for row in by_server]
    runs = line_runs(before, after)
    for row in by_command:
        first, last = row[3], row[5] - (1 if row[6] == 0 and row[5] > row[3] else 0)
        within = [start - 1 <= first and last < start - 1 + max(count, 1) for start, count, _n, _c in runs]
        assert any(within), (row, runs)

