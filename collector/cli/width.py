"""Lines that fit the terminal: its width when stdout is one (None when piped: a script gets every
character), a line cut to a width with `…` as its last column, a line wrapped to a width, and paths
under the user's home written from `~`."""

from __future__ import annotations

import re
import shutil
import sys
import textwrap

from rich.cells import cell_len, set_cell_size


def terminal_width() -> int | None:
    """The terminal's columns when stdout is a terminal, else None (nothing is cut)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def fit(line: str, width: int | None) -> str:
    """`line` cut to `width` terminal columns, its last one `…` when cut (None: as it is)."""
    if width is None or cell_len(line) <= width:
        return line
    return set_cell_size(line, max(width - 1, 0)) + "…"


def wrap(line: str, width: int | None, indent: int) -> str:
    """`line` wrapped to `width` columns at spaces (a path or a word longer than that is kept whole),
    lines after the first indented by `indent` (None: as it is)."""
    if width is None or len(line) <= width:
        return line
    return "\n".join(textwrap.wrap(line, width, subsequent_indent=" " * indent, break_long_words=False,
                                   break_on_hyphens=False))


def home_relative(text: str, home: str) -> str:
    """`text` with each path under `home` (a whole word starting with it, then `/`) written `~/...`."""
    if not home or home == "/":
        return text
    return re.sub(rf"(?<![^\s(=:]){re.escape(home.rstrip('/'))}(?=/)", "~", text)
