"""What an episode knows is on disk, by path, so a watcher's echo of an editor's save can be dropped.

An editor's save reaches the collector twice: as the bridge's `save` step and, a moment later, as the
file watcher's `file_change` carrying the same content. The second says nothing new about the disk,
and would store the whole file again; it is dropped when its hash equals what the disk is known to hold.
"""

from __future__ import annotations

from typing import Any


class DiskEcho:
    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def is_echo(self, step: dict[str, Any]) -> bool:
        """True for a created/modified file_change whose content the disk is already known to hold."""
        path, digest = step.get("path"), step.get("sha256")
        return (step.get("kind") == "file_change" and step.get("change") in ("created", "modified")
                and isinstance(path, str) and digest is not None and self._known.get(path) == digest)

    def note(self, step: dict[str, Any]) -> None:
        """Learn from a step that was recorded."""
        kind, path = step.get("kind"), step.get("path")
        if not isinstance(path, str):
            return
        if kind == "save" and isinstance(step.get("sha256"), str):
            self._known[path] = step["sha256"]
        elif kind == "file_change":
            change, digest = step.get("change"), step.get("sha256")
            known = self._known.pop(path, None)
            moved = digest if isinstance(digest, str) else known
            if change == "renamed" and isinstance(step.get("new_path"), str) and moved is not None:
                self._known[step["new_path"]] = moved
            elif change in ("created", "modified") and isinstance(digest, str):
                self._known[path] = digest
