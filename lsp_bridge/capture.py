"""Text sync, file operations and diagnostics, as both modes see them, turned into steps.

`Capture` owns the tracked documents and is called from one thread (the reading thread in observe mode,
the translator thread in proxy mode) with params as plain JSON values and the wall-clock ms at which the
message arrived. Anything malformed is logged and becomes a `gap` (text sync: the document goes stale
until the editor sends its whole text again) or a skip; it never raises.

Nothing is recorded through a link that leads out of the workspace: what the bridge reads from disk is
read through collector.workspace.beneath, and text the editor has just read from disk (an open, a whole
document sent again on reload, a save with its text) is recorded only if its path still lies in the
workspace where it did; a document whose folder became a link out is closed, its text not recorded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.text.digest import sha256_text
from collector.workspace.beneath import open_beneath
from lsp_bridge import translate as t
from lsp_bridge.documents import ENCODINGS, TrackedDocument
from lsp_bridge.errors import MalformedMessage, OutOfRange
from lsp_bridge.recorder import Outgoing, Recorder
from lsp_bridge.workspaces import Located, Workspaces

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
ReadFile = Callable[[Path, str, int], bytes | None]  # (workspace root, relative path, limit)
TEXT_SYNC = frozenset({"textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
                       "textDocument/didSave"})
_WATCHED = {1: "created", 2: "modified", 3: "deleted"}


def read_file(root: Path, relpath: str, limit: int) -> bytes | None:
    """Up to limit + 1 bytes of the regular file `relpath` in the workspace `root` (its real path); None
    for directories, links, unreadable files and a path that passes through a link."""
    try:
        with open(open_beneath(root, relpath, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(limit + 1)
    except OSError:
        return None


class Capture:
    def __init__(self, recorder: Recorder, workspaces: Workspaces, *, read: ReadFile = read_file,
                 max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.recorder = recorder
        self.workspaces = workspaces
        self.docs: dict[str, TrackedDocument] = {}
        self.too_large: set[str] = set()
        self.encoding: PositionEncoding = "utf-16"
        self._read = read
        self._max_file_bytes = max_file_bytes
        self.handlers: dict[str, Callable[[Any, int], None]] = {
            "textDocument/didOpen": self.did_open,
            "textDocument/didChange": self.did_change,
            "textDocument/didClose": self.did_close,
            "textDocument/didSave": self.did_save,
            "workspace/didCreateFiles": self.did_create_files,
            "workspace/didRenameFiles": self.did_rename_files,
            "workspace/didDeleteFiles": self.did_delete_files,
            "workspace/didChangeWatchedFiles": self.did_change_watched_files,
        }
        recorder.state_provider = self.file_states

    def initialized(self, encoding: PositionEncoding, client_info: dict[str, Any] | None,
                    folders: list[str]) -> None:
        """The session is set up: the negotiated encoding, the editor, its workspace folders."""
        self.encoding = encoding
        self.recorder.configure(encoding=encoding, client_info=client_info)
        for root in self.workspaces.add_folders(folders):
            self.recorder.open(root)

    def handle(self, method: str, params: Any, at: int) -> None:
        """Dispatch one notification; errors become a log line and a gap or a skip."""
        handler = self.handlers.get(method)
        if handler is None:
            return
        self.recorder.admit(at)
        try:
            handler(params, at)
        except MalformedMessage as exc:
            self.refused(method, params, at, str(exc))
        except Exception as exc:  # one line (refused's); the traceback only with --verbose
            log.debug("codetape: %s failed", method, exc_info=True)
            self.refused(method, params, at, f"internal error: {exc!r}")

    # -- failures ------------------------------------------------------------------------------------

    def refused(self, method: str, params: Any, at: int, reason: str) -> None:
        """A message that could not be translated: log it; a text sync message also leaves a gap."""
        log.error("codetape: skipped %s: %s", method, reason)
        if method not in TEXT_SYNC:
            return
        uri = None
        with contextlib.suppress(MalformedMessage):
            uri = t.document_uri(params)
        doc = self.docs.get(uri) if uri else None
        gap = t.gap_step("malformed_input", f"{method}: {reason}", lost=1)
        if doc is not None:
            doc.stale = True
            self.recorder.record(doc.root, Outgoing(at, gap))
        elif uri is None:
            self.unreadable(at, f"{method}: {reason}", from_editor=True)

    def unreadable(self, at: int, reason: str, *, from_editor: bool) -> None:
        """A message that could not even be parsed. From the editor it may have changed any document."""
        detail = f"unreadable message from the {'editor' if from_editor else 'server'}: {reason}"
        log.error("codetape: %s", detail)
        if from_editor:
            for doc in self.docs.values():
                doc.stale = True
        self.recorder.record_everywhere(at, t.gap_step("malformed_input", detail, lost=1))

    def lost_messages(self, at: int, count: int) -> None:
        """The proxy dropped messages before translation: every document may have changed."""
        log.error("codetape: the recorder fell behind; %d messages were not recorded", count)
        for doc in self.docs.values():
            doc.stale = True
        detail = f"{count} LSP messages not recorded; documents resynchronise at their next full text"
        self.recorder.record_everywhere(at, t.gap_step("recorder_behind", detail, lost=count))

    def file_states(self, root: Path, paths: set[str] | None) -> list[dict[str, Any]]:
        """(recorder callback) The current text of tracked documents, for a gap's state."""
        return [{"path": doc.path, "text": doc.text} for doc in self.docs.values()
                if doc.root == root and not doc.stale and (paths is None or doc.path in paths)]

    # -- text sync -----------------------------------------------------------------------------------

    def _targets(self, root: Path) -> tuple[PositionEncoding, ...]:
        wanted = self.recorder.encodings_for(root)  # () once the session records in the editor's encoding
        return tuple(e for e in ENCODINGS if e in wanted and e != self.encoding) if wanted else ()

    def _record(self, root: Path, at: int, step: dict[str, Any], paths: tuple[str, ...],
                variants: dict[str, dict[str, Any]] | None = None) -> None:
        self.recorder.record(root, Outgoing(at, step, variants or None, paths))

    def did_open(self, params: Any, at: int) -> None:
        """textDocument/didOpen"""
        item = t.obj(t.obj(params, "params").get("textDocument"), "textDocument")
        uri = t.string(item.get("uri"), "uri", limit=8192)
        text = t.string(item.get("text"), "text")
        version = t.optional_int(item.get("version"), "version")
        language = item.get("languageId")
        language_id = language if isinstance(language, str) else ""
        self.docs.pop(uri, None)
        self.too_large.discard(uri)
        located = self.workspaces.locate(uri, fresh=True)
        if located is None:
            return
        if t.too_large(text):
            self.too_large.add(uri)
            log.warning("codetape: %s is too large to record; its edits are skipped", located.path)
            gap = t.gap_step("other", f"{located.path} is too large to record ({len(text)} characters)")
            self.recorder.record(located.root, Outgoing(at, gap))
            return
        doc = TrackedDocument(uri, located.root, located.path, text, self.encoding, version=version,
                              language_id=language_id)
        self.docs[uri] = doc
        self._record(doc.root, at, t.open_step(doc.path, language_id, version, text), (doc.path,))

    def did_change(self, params: Any, at: int) -> None:
        """textDocument/didChange"""
        uri = t.document_uri(params)
        version = t.document_version(params)
        changes = t.content_changes(params)
        doc = self.docs.get(uri)
        if doc is None:
            if uri not in self.too_large and self.workspaces.locate(uri) is not None:
                log.warning("codetape: didChange for %s, which was never opened: skipped", uri)
            return
        if version is not None and doc.version is not None and version <= doc.version:
            log.warning("codetape: %s went from version %s back to %s", doc.path, doc.version, version)
        doc.version = version
        if any(change.range is None for change in changes) and not self._still_there(doc, at):
            return
        if doc.stale:
            fulls = [i for i, change in enumerate(changes) if change.range is None]
            if not fulls:
                return
            changes = changes[fulls[-1]:]
        if t.too_large(*(change.text for change in changes)):
            doc.stale = True
            log.warning("codetape: a change to %s is too large to record", doc.path)
            gap = t.gap_step("other", f"a change to {doc.path} is too large to record", lost=1)
            self.recorder.record(doc.root, Outgoing(at, gap))
            return
        try:
            variants = doc.apply(changes, self._targets(doc.root))
        except OutOfRange as exc:
            doc.stale = True
            log.error("codetape: skipped a change to %s: %s", doc.path, exc)
            gap = t.gap_step("malformed_input", f"didChange: {exc}", lost=1)
            self.recorder.record(doc.root, Outgoing(at, gap))
            return
        doc.stale = False
        step = t.edit_step(doc.path, version, changes)
        others = {str(e): t.edit_step(doc.path, version, c) for e, c in variants.items()}
        self._record(doc.root, at, step, (doc.path,), others)

    def did_close(self, params: Any, at: int) -> None:
        """textDocument/didClose"""
        uri = t.document_uri(params)
        self.too_large.discard(uri)
        doc = self.docs.pop(uri, None)
        if doc is not None:
            self._record(doc.root, at, t.close_step(doc.path), (doc.path,))

    def did_save(self, params: Any, at: int) -> None:
        """textDocument/didSave (with the text when the editor includes it)."""
        uri = t.document_uri(params)
        raw = params.get("text")
        text = None if raw is None else t.string(raw, "text")
        if text is not None and t.too_large(text):
            text = None
        doc = self.docs.get(uri)
        if doc is not None and text is not None and not self._still_there(doc, at):
            return
        if doc is None:
            located = self.workspaces.locate(uri, fresh=True)
            if located is not None and text is not None:
                self._record(located.root, at, t.save_step(located.path, sha256_text(text), text),
                             (located.path,))
            return
        if text is not None and (doc.stale or text != doc.text):
            if not doc.stale:
                log.warning("codetape: %s on disk differs from the tracked text: resynchronised", doc.path)
            doc.replace(text)
            step = t.save_step(doc.path, sha256_text(text), text)
        elif doc.stale:
            step = t.save_step(doc.path, None)
        else:
            step = t.save_step(doc.path, doc.sha256())
        self._record(doc.root, at, step, (doc.path,))

    def _still_there(self, doc: TrackedDocument, at: int) -> bool:
        """Whether an open document still lies where it did; if not (a folder on its way became a link,
        out of the workspace or elsewhere in it), it is closed and what the editor sends is not recorded."""
        if self.workspaces.locate(doc.uri, fresh=True) == Located(doc.root, doc.path):
            return True
        log.warning("codetape: %s does not lie in the workspace where it did (a link?): closed", doc.path)
        del self.docs[doc.uri]
        self._record(doc.root, at, t.close_step(doc.path), (doc.path,))
        return False

    # -- files ----------------------------------------------------------------------------------------

    def _content(self, located: Located) -> dict[str, Any] | None:
        data = self._read(located.root, located.path, self._max_file_bytes)
        if data is None:
            return None
        return t.file_content(data, max_bytes=self._max_file_bytes)

    def _file(self, located: Located, at: int, change: str) -> None:
        if ".git" in located.path.split("/"):
            return  # git's own files: never recorded, so never read
        content = None
        if change != "deleted":
            content = self._content(located)
            if content is None:
                return  # a directory, or gone again already
        self._record(located.root, at, t.file_change_step(located.path, change, content=content),
                     (located.path,))

    def did_create_files(self, params: Any, at: int) -> None:
        """workspace/didCreateFiles"""
        for uri in t.file_uris(params, "uri"):
            if (located := self.workspaces.locate(uri)) is not None:
                self._file(located, at, "created")

    def did_delete_files(self, params: Any, at: int) -> None:
        """workspace/didDeleteFiles"""
        for uri in t.file_uris(params, "uri"):
            if (located := self.workspaces.locate(uri)) is not None:
                self._record(located.root, at, t.file_change_step(located.path, "deleted"), (located.path,))

    def did_rename_files(self, params: Any, at: int) -> None:
        """workspace/didRenameFiles"""
        for old_uri, new_uri in zip(t.file_uris(params, "oldUri"), t.file_uris(params, "newUri"),
                                    strict=True):
            old = self.workspaces.locate(old_uri)
            new = self.workspaces.locate(new_uri)
            if old is not None and new is not None and old.root == new.root:
                step = t.file_change_step(old.path, "renamed", new_path=new.path)
                self._record(old.root, at, step, (old.path, new.path))
                continue
            if old is not None:
                self._record(old.root, at, t.file_change_step(old.path, "deleted"), (old.path,))
            if new is not None:
                self._file(new, at, "created")

    def did_change_watched_files(self, params: Any, at: int) -> None:
        """workspace/didChangeWatchedFiles (documents open in the editor are the editor's business)."""
        changes = t.obj(params, "params").get("changes")
        if not isinstance(changes, list):
            raise MalformedMessage("changes is not a list")
        for item in changes:
            event = t.obj(item, "change")
            uri = t.string(event.get("uri"), "uri", limit=8192)
            code = event.get("type")
            kind = _WATCHED.get(code) if isinstance(code, int) else None
            if kind is None:
                raise MalformedMessage(f"unknown file change type {event.get('type')!r}")
            if uri in self.docs and kind != "deleted":
                continue
            if (located := self.workspaces.locate(uri)) is not None:
                self._file(located, at, kind)

    # -- diagnostics and cursors ------------------------------------------------------------------------

    def _where(self, uri: str) -> tuple[Located | None, TrackedDocument | None]:
        doc = self.docs.get(uri)
        if doc is not None:
            return Located(doc.root, doc.path), doc
        return self.workspaces.locate(uri), None

    def diagnostics(self, uri: str, origin: str, version: int | None, raw: Any, at: int) -> None:
        """One origin's full set of diagnostics for a document (publishDiagnostics, codetape/diagnostics)."""
        located, doc = self._where(uri)
        if located is None:
            return
        items = t.diagnostic_items(raw)
        step = t.diagnostics_step(located.path, origin, version, items)
        variants: dict[str, dict[str, Any]] = {}
        if doc is not None and not doc.stale:
            for encoding in self._targets(doc.root):
                moved = [(doc.convert(where, encoding), kept) for where, kept in items]
                if any(m[0] != i[0] for m, i in zip(moved, items, strict=True)):
                    variants[encoding] = t.diagnostics_step(located.path, origin, version, moved)
        self._record(located.root, at, step, (located.path,), variants)

    def cursor(self, uri: str, selections: list[tuple[t.Pos, t.Pos]], at: int) -> None:
        """Where the carets are in one document (codetape/cursor)."""
        located, doc = self._where(uri)
        if located is None:
            return
        variants: dict[str, dict[str, Any]] = {}
        if doc is not None and not doc.stale:
            for encoding in self._targets(doc.root):
                moved = [tuple(doc.convert(t.Rng(a, b), encoding)) for a, b in selections]
                if any(tuple(m) != s for m, s in zip(moved, selections, strict=True)):
                    variants[encoding] = t.cursor_step(located.path, [(m[0], m[1]) for m in moved])
        self._record(located.root, at, t.cursor_step(located.path, selections), (located.path,), variants)
