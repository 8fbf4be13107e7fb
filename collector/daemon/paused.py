"""The workspaces whose recording is paused, kept in CODETAPE_HOME so that a pause outlives the collector.

A collector stopped by SIGTERM or killed, then started again by the next `codetape run` or editor, must
not record a workspace its developer paused. `paused.json` maps each paused workspace root to when the
pause began (unix epoch ms); every change is a locked read-modify-write replaced atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from collector.atomic import atomic_write, locked
from collector.home import Home

FILE = "paused.json"


class PausedWorkspaces:
    def __init__(self, home: Home) -> None:
        self.path = home.root / FILE
        self._home = home

    def since(self, root: Path) -> int | None:
        """When recording of `root` was paused (epoch ms), or None when it is not paused."""
        value = self._read().get(str(root))
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def pause(self, root: Path, at_ms: int) -> None:
        self._change(root, at_ms)

    def resume(self, root: Path) -> None:
        self._change(root, None)

    def _change(self, root: Path, at_ms: int | None) -> None:
        self._home.ensure(self._home.root)
        with locked(self.path):
            paused = self._read()
            if at_ms is None:
                if paused.pop(str(root), None) is None:
                    return
            else:
                paused[str(root)] = at_ms
            atomic_write(self.path, json.dumps(paused, indent=1, sort_keys=True) + "\n")

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return {}
        except (OSError, ValueError):
            return {}  # unreadable: treated as empty, and replaced on the next pause or resume
        return data if isinstance(data, dict) else {}
