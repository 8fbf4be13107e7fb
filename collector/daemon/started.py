"""How the running collector was started, as `codetape status` says it: what the process can know.

- `codetape collector --detach`, and a client that started it because none ran (the bridge, `codetape
  run`, the shell hook, ...: collector/protocol/client.py `start_detached`), hand the answer over in
  `CODETAPE_STARTED_BY` (JSON: `how`, and for an autostart `by` and `pid`), which the collector then
  takes out of its environment so nothing it starts inherits it;
- systemd names the process it started in `SYSTEMD_EXEC_PID` (systemd 248 and later) and puts it in a
  unit's control group, whose name /proc/self/cgroup gives;
- anything else is `codetape collector` run in the foreground, by its parent process.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from collector.protocol.starter import STARTED_BY

MAX_NAME = 200  # characters kept of a name another process gave


def how_started(environ: MutableMapping[str, str], pid: int, parent: int, proc: Path = Path("/proc")) -> \
        dict[str, Any]:
    """How this collector (`pid`, whose parent is `parent`) was started: `how` (autostart, detach,
    systemd, foreground), its details, and `text`, the sentence status prints. Takes the handover out of
    `environ`."""
    handed = _handed(environ.pop(STARTED_BY, None))
    if handed is not None:
        return handed
    if environ.get("SYSTEMD_EXEC_PID") == str(pid) or \
            ("INVOCATION_ID" in environ and _name(proc / str(parent) / "comm") == "systemd"):
        unit = _unit(proc / "self" / "cgroup")
        return {"how": "systemd", "unit": unit,
                "text": f"started by systemd (unit {unit})" if unit else "started by systemd"}
    name = _name(proc / str(parent) / "comm") or "a process"
    return {"how": "foreground", "parent": name, "parent_pid": parent,
            "text": f"started with `codetape collector` in the foreground (by {name}, pid {parent})"}


def _handed(value: str | None) -> dict[str, Any] | None:
    """What `codetape collector --detach` handed over; None when nothing (or nothing readable) was."""
    if value is None:
        return None
    try:
        given = json.loads(value)
    except ValueError:
        return None
    if not isinstance(given, dict):
        return None
    if given.get("how") == "detach":
        return {"how": "detach", "text": "started with `codetape collector --detach`"}
    by, pid = given.get("by"), given.get("pid")
    if given.get("how") == "autostart" and isinstance(by, str) and isinstance(pid, int):
        by = " ".join(by.split())[:MAX_NAME]
        return {"how": "autostart", "by": by, "pid": pid,
                "text": f"started by `{by}` (pid {pid}), which found no collector running"}
    return None


def _name(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace").strip()[:MAX_NAME] or None
    except OSError:
        return None


def _unit(cgroup: Path) -> str | None:
    """The systemd unit whose control group this process is in (`codetape.service`), if any."""
    try:
        lines = cgroup.read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        for part in reversed(line.rpartition(":")[2].split("/")):
            if part.endswith(".service") and not part.startswith("user@"):
                return part[:MAX_NAME]
    return None
