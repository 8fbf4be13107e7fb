"""File operations: files the editor created, renamed or deleted, and the changes on disk it watched, as
`file_change` steps with the content a created or changed file has (read up to MAX_FILE_BYTES).

Nothing is read through a link that leads out of the workspace: `read_file` opens a file through
collector.workspace.beneath, and git's own folder is never read. Documents open in the editor change
through text sync; a watched change to one of them is the editor's business, unless it was deleted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from collector.platform.files import NONBLOCK
from collector.workspace.beneath import open_beneath
from lsp_bridge.documents.tracking import Tracking
from lsp_bridge.documents.workspaces import Located
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.translate import FileChange, file_change_step, file_content, file_uris, obj, string

MAX_FILE_BYTES = 2 * 1024 * 1024
ReadFile = Callable[[Path, str, int], "OnDisk | None"]  # (workspace root, relative path, limit)
_WATCHED: dict[int, FileChange] = {1: "created", 2: "modified", 3: "deleted"}


class OnDisk(NamedTuple):
    data: bytes  # up to the limit + 1 bytes
    modified_ms: int  # when it was last written (wall clock, as messages are stamped)


def read_file(root: Path, relpath: str, limit: int) -> OnDisk | None:
    """Up to limit + 1 bytes of the regular file `relpath` in the workspace `root` (its real path), and
    when it was written; None for directories, links, unreadable files and a path through a link."""
    try:
        with open(open_beneath(root, relpath, os.O_RDONLY | NONBLOCK), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                return None
            return OnDisk(handle.read(limit + 1), status.st_mtime_ns // 1_000_000)
    except OSError:
        return None


class FileOperations:
    def __init__(self, tracking: Tracking, read: ReadFile, max_file_bytes: int) -> None:
        self.tracking = tracking
        self.documents = tracking.documents
        self.workspaces = tracking.workspaces
        self._read = read
        self._max_file_bytes = max_file_bytes

    def _content(self, located: Located) -> dict[str, Any] | None:
        found = self._read(located.root, located.path, self._max_file_bytes)
        if found is None:
            return None
        return file_content(found.data, max_bytes=self._max_file_bytes)

    def _file(self, located: Located, at: int, change: FileChange) -> None:
        if ".git" in located.path.lower().split("/"):  # `.GIT` is git's folder where names ignore case
            return  # git's own files: never recorded, so never read
        content = None
        if change != "deleted":
            content = self._content(located)
            if content is None:
                return  # a directory, or gone again already
        self.tracking.record(located.root, at, file_change_step(located.path, change, content=content),
                             (located.path,))

    def did_create_files(self, params: Any, at: int) -> None:
        """workspace/didCreateFiles"""
        for uri in file_uris(params, "uri"):
            if (located := self.workspaces.locate(uri)) is not None:
                self._file(located, at, "created")

    def did_delete_files(self, params: Any, at: int) -> None:
        """workspace/didDeleteFiles"""
        for uri in file_uris(params, "uri"):
            if (located := self.workspaces.locate(uri)) is not None:
                self.tracking.record(located.root, at, file_change_step(located.path, "deleted"),
                                     (located.path,))

    def did_rename_files(self, params: Any, at: int) -> None:
        """workspace/didRenameFiles"""
        for old_uri, new_uri in zip(file_uris(params, "oldUri"), file_uris(params, "newUri"), strict=True):
            old = self.workspaces.locate(old_uri)
            new = self.workspaces.locate(new_uri)
            if old is not None and new is not None and old.root == new.root:
                step = file_change_step(old.path, "renamed", new_path=new.path)
                self.tracking.record(old.root, at, step, (old.path, new.path))
                continue
            if old is not None:
                self.tracking.record(old.root, at, file_change_step(old.path, "deleted"), (old.path,))
            if new is not None:
                self._file(new, at, "created")

    def did_change_watched_files(self, params: Any, at: int) -> None:
        """workspace/didChangeWatchedFiles (documents open in the editor are the editor's business)."""
        changes = obj(params, "params").get("changes")
        if not isinstance(changes, list):
            raise MalformedMessage("changes is not a list")
        for item in changes:
            event = obj(item, "change")
            uri = string(event.get("uri"), "uri", limit=8192)
            code = event.get("type")
            kind = _WATCHED.get(code) if isinstance(code, int) else None
            if kind is None:
                raise MalformedMessage(f"unknown file change type {event.get('type')!r}")
            if uri in self.documents.by_uri and kind != "deleted":
                continue
            if (located := self.workspaces.locate(uri)) is not None:
                self._file(located, at, kind)
