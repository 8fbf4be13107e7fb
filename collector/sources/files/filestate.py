"""What one workspace file holds, as a `file_change` records it, and the walk that finds every file.

The policy decides before any byte is read: excluded files are never opened (not even stat'ed by the
walk, whose excluded directories are skipped whole), binary and too-large files are recorded by size
only. Text is the file's exact UTF-8 content with its sha256, so reconstruction stays byte-exact.
An error that says nothing of the file (the file table full, memory, the device: platform/files.py's
`transient`) is `Unreadable`, never taken for a file that is gone.
Files are reached through collector.workspace.beneath, never through a link: a link is recorded as a
link (its target string), and what lies behind it is never read, inside the workspace or out.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.platform.files import NONBLOCK, transient
from collector.policy.recording import Policy
from collector.workspace.beneath import link_beneath, open_beneath, scan_beneath, stat_beneath

HEAD_BYTES = 8192

# Editors' swap, backup and atomic-save temporaries: never workspace content.
_SWAP_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".kate-swp", ".crswap", "___jb_tmp___",
                  "___jb_old___", ".tmp.driveupload", ".orig.tmp")
_SWAP_PREFIXES = (".#", ".~lock.", ".goutputstream-", ".sb-")
# Folders a tool rewrites on its own, never workspace content: jupyter-lsp's shadow copies of the documents
# it sends its language server (rewritten at every change, emptied at its start: docs/editors.md,
# JupyterLab), whose edits the bridge records from the LSP traffic itself, and JupyterLab's checkpoints.
TOOL_FOLDERS = frozenset({".virtual_documents", ".ipynb_checkpoints"})


def is_noise(relpath: str) -> bool:
    """Paths a file watcher never records: git's own directory, editors' temporary files, and the copies
    JupyterLab keeps beside a notebook (TOOL_FOLDERS)."""
    parts = relpath.split("/")
    if ".git" in relpath.lower().split("/"):  # `.GIT` too: git's own folder where names ignore case
        return True
    if any(part in TOOL_FOLDERS for part in parts[:-1]):
        return True
    name = parts[-1]
    if name == "4913" or (name.startswith("#") and name.endswith("#")):  # vim's write test, emacs autosave
        return True
    return name.endswith(_SWAP_SUFFIXES) or name.startswith(_SWAP_PREFIXES)


class Unreadable(Exception):
    """A path could not be read now, for a reason that says nothing of it (`error`: the file table full,
    memory, the device); whoever asked tries again, and records that it could not read it."""

    def __init__(self, error: OSError, kind: str = "file") -> None:
        super().__init__(str(error))
        self.error = error
        self.kind = kind  # what the path is, as far as known: a "file", a "link", a "folder"


def _gone(exc: OSError) -> None:
    """Raise Unreadable when `exc` says nothing of the file; return when it says the file is not there (or
    not one that is read)."""
    if transient(exc):
        raise Unreadable(exc) from exc


@dataclass(frozen=True)
class Known:
    """The last recorded state of one file. `sha256` is None for omitted (binary, too large) files and
    links; `link` is a link's target."""

    size: int
    mtime_ns: int
    sha256: str | None
    link: str | None = None

    def same_stat(self, st: os.stat_result) -> bool:
        return self.size == st.st_size and self.mtime_ns == st.st_mtime_ns


def read_state(root: Path, relpath: str, policy: Policy, *, tracked: bool = False) -> tuple[
        dict[str, Any], Known] | None:
    """The `file_change` fields for a file's content now (a link's: its target), or None when it is
    excluded, gone, not a file or link, or reached only through a link; Unreadable when it could not be read
    now. `root` is a real path. `tracked`: git tracks the file, so git's ignore files, which never apply to
    a tracked file, are not asked."""
    if policy.excluded_by_workspace(relpath) if tracked else policy.is_excluded(relpath):
        return None
    try:
        fd = open_beneath(root, relpath, os.O_RDONLY | NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _link_state(root, relpath)
        _gone(exc)
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            st = os.fstat(file.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            limit = policy.settings.max_file_bytes
            if policy.content(size=st.st_size) == "too_large":
                return {"omitted": "too_large", "size": st.st_size}, Known(st.st_size, st.st_mtime_ns, None)
            data = file.read(limit + 1)
    except OSError as exc:
        _gone(exc)
        return None
    known = Known(len(data), st.st_mtime_ns, None)
    verdict = policy.content(size=len(data), head=data[:HEAD_BYTES])
    if verdict in {"too_large", "binary"}:
        return {"omitted": verdict, "size": len(data)}, known
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"omitted": "binary", "size": len(data)}, known
    digest = hashlib.sha256(data).hexdigest()
    return {"text": text, "sha256": digest}, Known(len(data), st.st_mtime_ns, digest)


def _link_state(root: Path, relpath: str) -> tuple[dict[str, Any], Known] | None:
    """A link's `file_change` fields: its target string, never what it points to."""
    try:
        st = stat_beneath(root, relpath)
        target = link_beneath(root, relpath)
    except OSError as exc:
        _gone(exc)
        return None
    return {"link": target}, Known(st.st_size, st.st_mtime_ns, None, target)


def walk(root: Path, policy: Policy, *, under: str = "", skip: tuple[Path, ...] = (),
         unreadable: list[tuple[str, OSError]] | None = None) -> Iterator[tuple[str, os.stat_result]]:
    """(relpath, lstat) of every regular file and link below `under` that may be recorded; no link is
    followed (collector.workspace.beneath), so a directory that became a link is not entered. A directory
    that could not be listed now (platform/files.py's `transient`) is added to `unreadable`."""
    skipped = {path.relative_to(root).as_posix() for path in skip if path.is_relative_to(root)}

    def leave_out(relpath: str) -> bool:
        return is_noise(relpath) or relpath in skipped or policy.is_excluded(relpath)

    def failed(relpath: str, exc: OSError) -> None:
        if unreadable is not None and transient(exc):
            unreadable.append((relpath, exc))

    yield from scan_beneath(root, under, skip=leave_out, failed=failed)
