"""What a process that starts the collector tells it about itself (`codetape status` says how it was
started: collector/daemon/started.py): `CODETAPE_STARTED_BY` in the new collector's environment."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

STARTED_BY = "CODETAPE_STARTED_BY"


def handover(how: str, *, by: str | None = None, pid: int | None = None) -> str:
    """The `CODETAPE_STARTED_BY` value: `detach`, or `autostart` by the command `by` running as `pid`."""
    return json.dumps({"how": how} if by is None else {"how": how, "by": by, "pid": pid})


def autostarted(env: Mapping[str, str]) -> bool:
    """Whether this process was started by a client that found no collector running (`handover`)."""
    try:
        given = json.loads(env.get(STARTED_BY) or "null")
    except ValueError:
        return False
    return isinstance(given, dict) and given.get("how") == "autostart"


def starter(argv: list[str]) -> str:
    """The command a process was started as, as people know it: `codetape bridge`, `pytest`, ..."""
    if not argv:
        return "python"
    first = Path(argv[0])
    name = first.parent.name if first.name == "__main__.py" else first.name
    if name == "lsp_bridge":
        return "codetape bridge"
    if name in ("collector", "codetape"):
        command = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
        return f"codetape {command}" if command else "codetape"
    return name or "python"
