"""How codetape runs itself in a new process: this interpreter with `-P`, so that the folder it is started
from is never on `sys.path`.

`python -m collector` puts the working directory first on `sys.path`, and a repository with a top-level
`collector/` or `schemas/` package would run its own code as codetape (through an agent's hook, an autostart,
the shell hook's spooler) or keep the collector from starting. `-P` (Python 3.11) leaves it out; every
command line that starts codetape is made here."""

from __future__ import annotations

import sys

SAFE_PATH = "-P"


def python_command(module: str = "collector", *args: str, python: str | None = None) -> list[str]:
    """`PYTHON -P -m MODULE ARGS...`: this interpreter unless `python` names another."""
    return [python or sys.executable, SAFE_PATH, "-m", module, *args]
