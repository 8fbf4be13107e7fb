"""The workspaces this user opted in, so the collector watches them (git, files) whenever it runs.

`codetape init` adds a workspace; the collector starts a session for each one still opted in when it
starts, so git work done before any editor connects is recorded too. One absolute path per line; every
change is a locked read-modify-write replaced atomically (collector.atomic).
"""

from __future__ import annotations

from pathlib import Path

from collector.atomic import atomic_write, locked
from collector.home import Home
from collector.workspace.find import find_workspace


class Registry:
    def __init__(self, home: Home) -> None:
        self.path = home.root / "workspaces.txt"
        self._home = home

    def _read(self) -> list[Path]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [Path(line) for line in dict.fromkeys(text.splitlines()) if line.startswith("/")]

    def add(self, root: Path) -> None:
        """Remember an opted-in workspace (idempotent; the file is private)."""
        self._home.ensure(self._home.root)
        with locked(self.path):
            roots = self._read()
            if root in roots:
                return
            atomic_write(self.path, "".join(f"{path}\n" for path in [*roots, root]))

    def roots(self) -> list[Path]:
        """The remembered workspaces that are still opted in (their `.codetape.toml` exists)."""
        return [root for root in self._read() if find_workspace(root) == root]
