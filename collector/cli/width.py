"""Lines that fit the terminal: its width when stdout is one (None when piped: a script gets every
character), and a line cut to a width with `…` as its last column."""

from __future__ import annotations

import shutil
import sys

from rich.cells import cell_len, set_cell_size


def terminal_width() -> int | None:
    """The terminal's columns when stdout is a terminal, else None (nothing is cut)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def fit(line: str, width: int | None) -> str:
    """`line` cut to `width` terminal columns, its last one `…` when cut (None: as it is)."""
    if width is None or cell_len(line) <= width:
        return line
    return set_cell_size(line, max(width - 1, 0)) + "…"
