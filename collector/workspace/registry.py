"""The workspaces this user opted in, so the collector watches them (git, files) whenever it runs, and the
`.codetape.toml` content the user accepted for each.

`codetape init` adds a workspace; the collector starts a session for each one still opted in when it
starts, so git work done before any editor connects is recorded too. `workspaces.json` holds a JSON list
with one entry per workspace: its absolute path (any character a path may hold, newlines included), or
`{"root": PATH, "accepted": {"sha256": HEX, "text": TEXT}}` once the user accepted a content of its
settings file (`codetape init`, `codetape trust`): what the file may loosen is bounded by that content
(collector/policy/effective.py). Every change is a locked read-modify-write replaced atomically
(collector.atomic). A `workspaces.txt` of older versions (one path per line) is read until the next
change rewrites it as JSON.

A file that exists but cannot be read is never taken for an empty list: a read that failed for want of
files, memory or the device (platform/files.py's `transient`) is tried again briefly (READ_PAUSES_S), then
it, like any other error but the file's absence, is RegistryUnreadable: the caller waits and asks again,
or says so (the collector holds a hello or request meanwhile: daemon/server.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from collector.errors import RegistryUnreadable
from collector.home import Home
from collector.platform.files import error_name, transient
from collector.workspace.trust import SETTINGS_FILE, settings_problem

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any

FILE = "workspaces.json"
LEGACY_FILE = "workspaces.txt"
READ_PAUSES_S = (0.01, 0.05)  # a read that failed for want of files, memory or the device: tried again


def digest(text: str) -> str:
    """The SHA-256 of a settings file's text (its UTF-8 bytes), as the registry keeps it."""
    import hashlib  # deferred: only what was accepted is hashed (~2 ms: `status` and `run` list roots only)

    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class Registry:
    def __init__(self, home: Home) -> None:
        self.path = home.root / FILE
        self._legacy = home.root / LEGACY_FILE
        self._home = home

    def _entries(self, *, texts: bool = True) -> dict[Path, str | None]:
        """Every remembered workspace, in order, with the settings text accepted for it (None: none; always
        None without `texts`, when only the workspaces are asked for: no acceptance is checked)."""
        try:
            data = json.loads(self._read(self.path))
        except (FileNotFoundError, NotADirectoryError):
            return dict.fromkeys(self._read_legacy())
        except ValueError:
            return {}
        if not isinstance(data, list):
            return {}
        entries: dict[Path, str | None] = {}
        for item in data:
            root, accepted = _entry(item, texts=texts)
            if root is not None and root not in entries:
                entries[root] = accepted
        return entries

    def _read(self, path: Path) -> str:
        """The text of `path`; FileNotFoundError (or NotADirectoryError) when it is not there,
        RegistryUnreadable when it is there but could not be read."""
        for pause in (*READ_PAUSES_S, None):
            try:
                return path.read_text(encoding="utf-8", errors="surrogateescape")
            except (FileNotFoundError, NotADirectoryError):
                raise
            except OSError as exc:
                if pause is None or not transient(exc):
                    raise RegistryUnreadable(f"{path} could not be read ({error_name(exc)}): which "
                                             "workspaces are opted in is not known now") from None
                time.sleep(pause)
        raise AssertionError("unreachable")

    def _read_legacy(self) -> list[Path]:
        try:
            text = self._read(self._legacy)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [Path(line) for line in dict.fromkeys(text.splitlines()) if line.startswith("/")]

    def _write(self, entries: dict[Path, str | None]) -> None:
        items: list[Any] = [str(root) if accepted is None else
                            {"root": str(root), "accepted": {"sha256": digest(accepted), "text": accepted}}
                            for root, accepted in entries.items()]
        from collector.atomic import atomic_write  # deferred: only to write (`run`, `status` only read)

        atomic_write(self.path, json.dumps(items, indent=1) + "\n")
        self._legacy.unlink(missing_ok=True)

    def add(self, root: Path) -> None:
        """Remember an opted-in workspace (idempotent, what it accepted is kept; the file is private)."""
        from collector.atomic import locked  # deferred: only to write (`run`, `status` only read)

        self._home.ensure(self._home.root)
        with locked(self.path):
            entries = self._entries()
            if root in entries:
                return
            entries[root] = None
            self._write(entries)

    def accept(self, root: Path, text: str) -> None:
        """Remember an opted-in workspace and that its user accepted this content of its settings file."""
        from collector.atomic import locked  # deferred: only to write (`run`, `status` only read)

        self._home.ensure(self._home.root)
        with locked(self.path):
            entries = self._entries()
            entries[root] = text
            self._write(entries)

    def accepted(self, root: Path) -> str | None:
        """The settings text the user accepted for `root`, None when they accepted none (or it is unknown);
        RegistryUnreadable when the registry could not be read."""
        return self._entries().get(root)

    def registered(self) -> list[Path]:
        """Every remembered workspace, opted in or not any more."""
        return list(self._entries(texts=False))

    def roots(self) -> list[Path]:
        """The remembered workspaces that are still opted in: their `.codetape.toml` exists and is the
        user's own (workspace/trust.py)."""
        return [root for root in self._entries(texts=False) if settings_problem(root) is None]

    def ignored(self) -> list[str]:
        """Why each remembered workspace whose settings file exists is not opted in any more."""
        problems = (settings_problem(root) for root in self._entries(texts=False)
                    if (root / SETTINGS_FILE).exists())
        return [f"{problem}; it is ignored" for problem in problems if problem is not None]


def _entry(item: object, *, texts: bool = True) -> tuple[Path | None, str | None]:
    """(root, accepted text) of one item of the JSON list; an acceptance whose hash does not match its
    text counts as none (and without `texts` none is read)."""
    if isinstance(item, str):
        return (Path(item) if item.startswith("/") else None), None
    root = item.get("root") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(root, str) or not root.startswith("/"):
        return None, None
    accepted = item.get("accepted")
    if not texts or not isinstance(accepted, dict):
        return Path(root), None
    text = accepted.get("text")
    if not isinstance(text, str) or accepted.get("sha256") != digest(text):
        return Path(root), None
    return Path(root), text
