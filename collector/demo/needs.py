"""What `codetape demo` runs beside codetape, checked before it starts: pytest (the scratch project's tests)
and DuckDB (the query over the dataset it builds), both in codetape's `demo` extra. An install without the
extra (`uv tool install .`) hears one line naming the command that adds it, before the demo's first step,
not an import error 15 s into the session."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

from collector.errors import CodetapeError

DEMO_MODULES = ("pytest", "duckdb")


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def add_demo_extra(prefix: Path) -> str:
    """The command that adds the `demo` extra to the codetape installed under `prefix`: uv's tool command
    for a `uv tool install` (whose environment holds uv's receipt), pip's into this interpreter otherwise."""
    if (prefix / "uv-receipt.toml").is_file():
        return "uv tool install --reinstall '.[demo]' (in codetape's checkout)"
    python = Path(sys.executable).name
    return f"{python} -m pip install 'codetape[demo]' (or '.[demo]' in codetape's checkout)"


def require_demo_extra(installed: Callable[[str], bool] = _installed, prefix: Path | None = None) -> None:
    """Raise the one-line error that names what is missing and how to add it, when the demo cannot run."""
    missing = [module for module in DEMO_MODULES if not installed(module)]
    if missing:
        raise CodetapeError(f"the demo runs {' and '.join(missing)}, from codetape's demo extra, which this "
                            f"install lacks; add it: {add_demo_extra(prefix or Path(sys.prefix))}")
