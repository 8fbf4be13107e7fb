"""Where a document belongs: `file://` URIs to opted-in workspaces and workspace-relative POSIX paths.

Nothing outside an opted-in workspace is recorded, so every URI goes through `Workspaces.locate`;
non-file URIs and paths outside every opted-in workspace, through a link too, locate to None. Answers
are cached for a few seconds, so `codetape init` in a running editor takes effect without a restart;
text the editor has just read from disk is located afresh.

A notebook's virtual document belongs to the workspace holding the notebook: jupyter-lsp's
`ROOT/.virtual_documents/REL` mirrors the notebook `ROOT/REL` under Jupyter's root, and is located as
`.virtual_documents/` and the notebook's path in its workspace, wherever Jupyter was started: in the
workspace, in a folder above it (`REL` = `ws/nb.ipynb`: `.virtual_documents/nb.ipynb`) or below it
(Jupyter in `ws/sub`: `.virtual_documents/sub/nb.ipynb`).
"""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from collector.text.notebooks import NOTEBOOK_SUFFIX, VIRTUAL_DOCUMENTS

FindWorkspace = Callable[[Path], Path | None]
_CACHE_LIMIT = 10_000


class Located(NamedTuple):
    root: Path
    path: str


def uri_to_path(uri: str) -> Path | None:
    """The absolute local path of a `file://` URI; None for other schemes, remote hosts or damage."""
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    text = urllib.parse.unquote(parts.path, errors="surrogateescape")
    if not text.startswith("/") or "\0" in text:
        return None
    return Path(os.path.normpath(text))


class Workspaces:
    """Resolves documents to opted-in workspaces with a short-lived cache."""

    def __init__(self, find_workspace: FindWorkspace, *, ttl_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._find = find_workspace
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Located | None]] = {}
        self._same: dict[Path, Path] = {}  # each root found, as one object
        self.roots: list[Path] = []

    @property
    def primary(self) -> Path | None:
        """The workspace the editor opened first (from rootUri / workspaceFolders), if opted in."""
        return self.roots[0] if self.roots else None

    def add_folders(self, uris: Iterable[str]) -> list[Path]:
        """Register the editor's workspace folders; returns the opted-in roots among them."""
        found = []
        for uri in uris:
            path = uri_to_path(uri)
            root = self._root(path) if path is not None else None
            if root is not None and root not in self.roots:
                self.roots.append(root)
                found.append(root)
        return found

    def _root(self, path: Path) -> Path | None:
        """The opted-in workspace holding `path`, the same object each time it is found: the recorder's
        sessions are keyed by it, and a dict finds the very key it holds without comparing paths."""
        root = self._find(path)
        if root is None:
            return None
        if len(self._same) >= _CACHE_LIMIT:
            self._same.clear()
        return self._same.setdefault(root, root)

    def locate(self, uri: str, *, fresh: bool = False) -> Located | None:
        """The opted-in workspace and relative path of a document, or None when it is not recorded.
        `fresh` looks at the disk now instead of trusting a cached answer (text the editor just read
        from disk: a folder on the way may have become a link since)."""
        now = self._clock()
        cached = None if fresh else self._cache.get(uri)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        path = uri_to_path(uri)
        located = self.locate_path(path) if path is not None else None
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[uri] = (now, located)
        return located

    def locate_path(self, path: Path) -> Located | None:
        """Like `locate`, for an absolute path (uncached)."""
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return None
        if resolved.name.endswith(NOTEBOOK_SUFFIX) and VIRTUAL_DOCUMENTS in resolved.parts[:-1]:
            return self._mirroring(resolved)
        root = self._root(resolved)
        if root is None:
            return None
        try:
            relative = resolved.relative_to(root).as_posix()
        except ValueError:
            return None
        return Located(root, relative) if relative != "." else None

    def _mirroring(self, resolved: Path) -> Located | None:
        """A virtual document, in the workspace of the notebook it mirrors (module docstring); None when
        that notebook is in no opted-in workspace."""
        parts = resolved.parts
        at = parts.index(VIRTUAL_DOCUMENTS)
        notebook = Path(*parts[:at], *parts[at + 1:])
        root = self._root(notebook)
        if root is None or not notebook.is_relative_to(root) or notebook == root:
            return None
        return Located(root, f"{VIRTUAL_DOCUMENTS}/{notebook.relative_to(root).as_posix()}")

    def unrecorded_notebook(self, uri: str) -> Path | None:
        """The notebook a virtual document mirrors, when it lies in no opted-in workspace (so neither is
        recorded); None for any other document."""
        path = uri_to_path(uri)
        if path is None or not path.name.endswith(NOTEBOOK_SUFFIX):
            return None
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return None
        parts = resolved.parts
        if VIRTUAL_DOCUMENTS not in parts[:-1] or self._mirroring(resolved) is not None:
            return None
        at = parts.index(VIRTUAL_DOCUMENTS)
        return Path(*parts[:at], *parts[at + 1:])

    def root_of(self, path: Path) -> Path | None:
        """The opted-in workspace holding an absolute path (or being it)."""
        try:
            return self._root(path.resolve())
        except (OSError, RuntimeError):
            return None

    def root_for(self, uri: str | None) -> Path | None:
        """The workspace named by a URI inside it, else the primary workspace."""
        if uri:
            located = self.locate(uri)
            if located is not None:
                return located.root
            path = uri_to_path(uri)
            root = self.root_of(path) if path is not None else None
            if root is not None:
                return root
        return self.primary
