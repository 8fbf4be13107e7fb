"""The workspaces this user opted in, so the collector watches them (git, files) whenever it runs.

`codetape init` adds a workspace; the collector starts a session for each one still opted in when it
starts, so git work done before any editor connects is recorded too. `workspaces.json` holds a JSON list
of absolute paths (any character a path may hold, newlines included); every change is a locked
read-modify-write replaced atomically (collector.atomic). A `workspaces.txt` of older versions (one path
per line) is read until the next change rewrites it as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from collector.atomic import atomic_write, locked
from collector.home import Home
from collector.workspace.trust import SETTINGS_FILE, settings_problem

FILE = "workspaces.json"
LEGACY_FILE = "workspaces.txt"


class Registry:
    def __init__(self, home: Home) -> None:
        self.path = home.root / FILE
        self._legacy = home.root / LEGACY_FILE
        self._home = home

    def _read(self) -> list[Path]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8", errors="surrogateescape"))
        except (FileNotFoundError, NotADirectoryError):
            return self._read_legacy()
        except (OSError, ValueError):
            return []
        if not isinstance(data, list):
            return []
        return [Path(p) for p in dict.fromkeys(data) if isinstance(p, str) and p.startswith("/")]

    def _read_legacy(self) -> list[Path]:
        try:
            text = self._legacy.read_text(encoding="utf-8", errors="surrogateescape")
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError:
            return []
        return [Path(line) for line in dict.fromkeys(text.splitlines()) if line.startswith("/")]

    def add(self, root: Path) -> None:
        """Remember an opted-in workspace (idempotent; the file is private)."""
        self._home.ensure(self._home.root)
        with locked(self.path):
            roots = self._read()
            if root in roots:
                return
            paths = [str(path) for path in [*roots, root]]
            atomic_write(self.path, json.dumps(paths, indent=1) + "\n")
            self._legacy.unlink(missing_ok=True)

    def registered(self) -> list[Path]:
        """Every remembered workspace, opted in or not any more."""
        return self._read()

    def roots(self) -> list[Path]:
        """The remembered workspaces that are still opted in: their `.codetape.toml` exists and is the
        user's own (workspace/trust.py)."""
        return [root for root in self._read() if settings_problem(root) is None]

    def ignored(self) -> list[str]:
        """Why each remembered workspace whose settings file exists is not opted in any more."""
        problems = (settings_problem(root) for root in self._read() if (root / SETTINGS_FILE).exists())
        return [f"{problem}; it is ignored" for problem in problems if problem is not None]
