"""What an editor says about its documents, as both modes see them, turned into steps: the handler table.

`EditorCapture` is called from one thread (the reading thread in observe mode, the translator thread in proxy
mode) with params as plain JSON values and the wall-clock ms at which the message arrived, and hands each
notification to the part that handles it over the state they share (documents/tracking.py: the open documents,
the workspaces, the recorder): text sync with its version reordering (sync.py), the check at save
(resync.py), notebooks as LSP's notebook sync sends them (notebooks.py), file operations (files.py), offers
(authorship/offer_steps.py); diagnostics and cursors are here.
Anything malformed is logged and becomes a `gap` (text sync: the document goes stale until the editor
sends its whole text again) or a skip; it never raises.

Nothing is recorded through a link that leads out of the workspace: what the bridge reads from disk is
read through collector.workspace.beneath, and text the editor has just read from disk (an open, a whole
document sent again on reload, a save with its text) is recorded only if its path still lies in the
workspace where it did; a document whose folder became a link out is closed, its text not recorded.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsp_bridge.authorship.offer_steps import OfferSteps
from lsp_bridge.authorship.origins import Origins
from lsp_bridge.capture.files import MAX_FILE_BYTES, FileOperations, ReadFile, read_file
from lsp_bridge.capture.notebooks import NOTEBOOK_SYNC, NotebookSync
from lsp_bridge.capture.resync import Resync
from lsp_bridge.capture.sync import TEXT_SYNC, TextSync
from lsp_bridge.documents.tracked import TrackedDocument, TrackedDocuments
from lsp_bridge.documents.tracking import Tracking
from lsp_bridge.documents.workspaces import Located, Workspaces
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import cursor_step, diagnostic_items, diagnostics_step, document_uri, gap_step
from schemas.steps import Step
from schemas.steps.base import Range
from schemas.steps.cursor import Selection
from schemas.steps.edit import ContentChange

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

log = logging.getLogger(__name__)


class EditorCapture:
    """`documents` are the ones the recorder was given as its state provider (`documents.file_states`)."""

    def __init__(self, recorder: Recorder, workspaces: Workspaces, documents: TrackedDocuments, *,
                 read: ReadFile = read_file, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.recorder = recorder
        self.workspaces = workspaces
        self.documents = documents
        self.tracking = Tracking(recorder, workspaces, documents)
        self.origins = Origins(recorder)  # whose work each edit is (authorship/origins.py)
        self.offered = OfferSteps(self.tracking, self.origins)  # offers as steps (authorship/offer_steps.py)
        self.offers = self.offered.offers  # what servers offered, what came of it
        self.sync = TextSync(self.tracking, self.offered, self.origins)
        self.resync = Resync(self.tracking, read, max_file_bytes, self._unsent)
        self.files = FileOperations(self.tracking, read, max_file_bytes)
        self.notebooks = NotebookSync(self.sync, self.resync)
        self.handlers: dict[str, Callable[[Any, int], None]] = {
            "textDocument/didOpen": self.sync.did_open,
            "textDocument/didChange": self.sync.did_change,
            "textDocument/didClose": self.sync.did_close,
            "textDocument/didSave": self._did_save,
            "workspace/didCreateFiles": self.files.did_create_files,
            "workspace/didRenameFiles": self.files.did_rename_files,
            "workspace/didDeleteFiles": self.files.did_delete_files,
            "workspace/didChangeWatchedFiles": self.files.did_change_watched_files,
            "notebookDocument/didOpen": self.notebooks.did_open,
            "notebookDocument/didChange": self.notebooks.did_change,
            "notebookDocument/didSave": self._did_save_notebook,
            "notebookDocument/didClose": self.notebooks.did_close,
        }

    def _did_save(self, params: Any, at: int) -> None:
        self.origins.saving()  # the edits held for their origin go before the save (authorship/origins.py)
        self.resync.did_save(params, at)

    def _unsent(self, doc: TrackedDocument, text: str, at: int) -> None:
        """The change the editor sent only in its save's text (resync.py), as the editor's change."""
        self.sync.changed(doc.uri, None, [ContentChange(range=None, text=text)], at)
        self.origins.saving()  # (its edit, if held for its origin, before the save)

    def _did_save_notebook(self, params: Any, at: int) -> None:
        self.origins.saving()
        self.notebooks.did_save(params, at)

    @property
    def encoding(self) -> PositionEncoding:
        """The negotiated position encoding: what the steps are recorded in."""
        return self.documents.encoding

    def initialized(self, encoding: PositionEncoding, client_info: dict[str, Any] | None,
                    folders: list[str]) -> None:
        """The session is set up: the negotiated encoding, the editor, its workspace folders."""
        self.documents.encoding = encoding
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
            if self.sync.held:  # (the keystroke path: no property call)
                self.sync.expire(at)
                if method != "textDocument/didChange":  # what the editor sent before this comes first
                    self.sync.release(document_uri(params) if method in TEXT_SYNC else None, at)
            handler(params, at)
        except MalformedMessage as exc:
            self.refused(method, params, at, str(exc))
        except Exception as exc:  # one line (refused's); the traceback only with --verbose
            log.debug("codetape: %s failed", method, exc_info=True)
            self.refused(method, params, at, f"internal error: {exc!r}")

    # -- changes held for a predecessor (sync.py) ----------------------------------------------------------

    @property
    def holding(self) -> bool:
        return bool(self.sync.held)

    def expire(self, at: int) -> None:
        self.sync.expire(at)

    def release(self, uri: str | None, at: int) -> None:
        self.sync.release(uri, at)

    # -- failures ------------------------------------------------------------------------------------

    def refused(self, method: str, params: Any, at: int, reason: str) -> None:
        """A message that could not be translated: log it; a text or notebook sync message also leaves a
        gap (a notebook's: in its virtual document)."""
        log.error("codetape: skipped %s: %s", method, reason)
        if method not in TEXT_SYNC and method not in NOTEBOOK_SYNC:
            return
        uri = None
        with contextlib.suppress(MalformedMessage):
            uri = self.notebooks.document_of(params) if method in NOTEBOOK_SYNC else document_uri(params)
        doc = self.documents.by_uri.get(uri) if uri else None
        gap = gap_step("malformed_input", f"{method}: {reason}", lost=1)
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
            for doc in self.documents.by_uri.values():
                doc.stale = True
        self.recorder.record_everywhere(at, gap_step("malformed_input", detail, lost=1))

    def lost_messages(self, at: int, count: int) -> None:
        """The proxy dropped messages before translation: every document may have changed."""
        log.error("codetape: the recorder fell behind; %d messages were not recorded", count)
        for doc in self.documents.by_uri.values():
            doc.stale = True
        detail = f"{count} LSP messages not recorded; documents resynchronise at their next full text"
        self.recorder.record_everywhere(at, gap_step("recorder_behind", detail, lost=count))

    # -- diagnostics and cursors ------------------------------------------------------------------------

    def _where(self, uri: str) -> tuple[Located | None, TrackedDocument | None]:
        doc = self.documents.by_uri.get(uri)
        if doc is not None:
            return Located(doc.root, doc.path), doc
        return self.workspaces.locate(uri), None

    def diagnostics(self, uri: str, origin: str, version: int | None, raw: Any, at: int) -> None:
        """One origin's full set of diagnostics for a document (publishDiagnostics, codetape/diagnostics)."""
        located, doc = self._where(uri)
        if located is None:
            return
        items = diagnostic_items(raw)
        step = diagnostics_step(located.path, origin, version, items)
        variants: dict[str, Step] = {}
        if doc is not None and not doc.stale:
            negotiated = self.documents.encoding
            for encoding in self.tracking.targets(doc.root):
                moved = [(doc.convert(where, encoding, negotiated), kept) for where, kept in items]
                if any(m[0] != i[0] for m, i in zip(moved, items, strict=True)):
                    variants[encoding] = diagnostics_step(located.path, origin, version, moved)
        self.tracking.record(located.root, at, step, (located.path,), variants)

    def cursor(self, uri: str, selections: list[Selection], at: int) -> None:
        """Where the carets are in one document (codetape/cursor)."""
        located, doc = self._where(uri)
        if located is None:
            return
        variants: dict[str, Step] = {}
        if doc is not None and not doc.stale:
            negotiated = self.documents.encoding
            for encoding in self.tracking.targets(doc.root):
                spans = [doc.convert(Range(start=s.anchor, end=s.active), encoding, negotiated)
                         for s in selections]
                moved = [Selection(anchor=span.start, active=span.end) for span in spans]
                if moved != selections:
                    variants[encoding] = cursor_step(located.path, moved)
        step = cursor_step(located.path, selections)
        self.tracking.record(located.root, at, step, (located.path,), variants)
