"""Text sync, file operations and diagnostics, as both modes see them, turned into steps.

`Capture` owns the tracked documents and is called from one thread (the reading thread in observe mode,
the translator thread in proxy mode) with params as plain JSON values and the wall-clock ms at which the
message arrived. Anything malformed is logged and becomes a `gap` (text sync: the document goes stale
until the editor sends its whole text again) or a skip; it never raises.

Changes are applied in version order: one whose predecessor has not arrived yet (Helix sends
`7, 11, 8, 12, ...` after a buffer opens) is held, for at most HOLD_MS of the editor's later traffic
and never past a save or close of its document. An editor whose versions skip numbers (Neovim counts
`b:changedtick`) is noticed the first time a hold runs out with nothing filled, and not held again.

At each save the bridge's copy is checked against the editor's (the save's text, else the file on disk):
when it drifted (versions lost or late, positions counted in another encoding than the one negotiated) a
`gap` with reason `resync` carries the true text, so the episode still replays exactly. A save text that
disagrees with both the copy and the file on disk (ALE's literal `\n`) is the odd one out and ignored.

Nothing is recorded through a link that leads out of the workspace: what the bridge reads from disk is
read through collector.workspace.beneath, and text the editor has just read from disk (an open, a whole
document sent again on reload, a save with its text) is recorded only if its path still lies in the
workspace where it did; a document whose folder became a link out is closed, its text not recorded.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from collector.platform.files import NONBLOCK
from collector.text.digest import sha256_text
from collector.text.positions import content_of
from collector.workspace.beneath import open_beneath
from lsp_bridge import translate as t
from lsp_bridge.documents import ENCODINGS, TrackedDocument
from lsp_bridge.errors import MalformedMessage, OutOfRange
from lsp_bridge.offers import Offers, offered
from lsp_bridge.origins import Origins
from lsp_bridge.recorder import Recorder
from lsp_bridge.spool import Outgoing
from lsp_bridge.workspaces import Located, Workspaces
from schemas.steps.base import Position, Range
from schemas.steps.cursor import Selection

if TYPE_CHECKING:
    from schemas.common import PositionEncoding
    from schemas.messages import OfferParams
    from schemas.steps.edit import ContentChange

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
HOLD_MS = 250  # a change whose predecessor has not arrived waits at most this long of later traffic
HOLD_CHANGES = 256  # and at most this many changes wait per document
OFFER_WAIT_MS = 2000  # an editor's offer waits at most this long for the change that makes its version
MAX_OFFERS_DUE = 16  # and at most this many wait per document
ReadFile = Callable[[Path, str, int], "OnDisk | None"]  # (workspace root, relative path, limit)
TEXT_SYNC = frozenset({"textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
                       "textDocument/didSave"})
_WATCHED = {1: "created", 2: "modified", 3: "deleted"}


@dataclass(frozen=True, slots=True)
class _Held:
    """A change that arrived before its predecessor."""
    version: int
    at: int
    changes: list[ContentChange]


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


class Capture:
    def __init__(self, recorder: Recorder, workspaces: Workspaces, *, read: ReadFile = read_file,
                 max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.recorder = recorder
        self.workspaces = workspaces
        self.docs: dict[str, TrackedDocument] = {}
        self.too_large: set[str] = set()
        self.encoding: PositionEncoding = "utf-16"  # negotiated: what the steps are recorded in
        self.units: PositionEncoding | None = None  # how the editor really counts, when it is not that
        self._read = read
        self._max_file_bytes = max_file_bytes
        self._held: dict[str, list[_Held]] = {}  # uri -> changes waiting for their predecessor, by version
        self._versions_skip = False  # the editor's versions skip numbers: changes apply as they arrive
        self._filled = False  # a held change's predecessor arrived late at least once (real reordering)
        self.origins = Origins(recorder)  # whose work each edit is (lsp_bridge/origins.py)
        self.offers = Offers(self._offered)  # what servers offered, what came of it (lsp_bridge/offers.py)
        self._offers_due: dict[str, list[tuple[OfferParams, int]]] = {}  # an editor's, before their change
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
            if self._held:  # (the keystroke path: no property call)
                self.expire(at)
                if method != "textDocument/didChange":  # what the editor sent before this comes first
                    self.release(t.document_uri(params) if method in TEXT_SYNC else None, at)
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
        doc = TrackedDocument(uri, located.root, located.path, text, self.units or self.encoding,
                              version=version, language_id=language_id)
        self.docs[uri] = doc
        self._record(doc.root, at, t.open_step(doc.path, language_id, version, text), (doc.path,))

    def did_change(self, params: Any, at: int) -> None:
        """textDocument/didChange, in version order (module docstring)."""
        uri = t.document_uri(params)
        version = t.document_version(params)
        changes = t.content_changes(params)
        doc = self.docs.get(uri)
        if doc is None:
            if uri not in self.too_large and self.workspaces.locate(uri) is not None:
                log.warning("codetape: didChange for %s, which was never opened: skipped", uri)
            return
        if version is not None and doc.version is not None and version > doc.version + 1 \
                and not self._versions_skip:
            waiting = self._held.setdefault(uri, [])
            bisect.insort(waiting, _Held(version, at, changes), key=lambda h: h.version)
            if len(waiting) > HOLD_CHANGES:
                self.release(uri, at)
            return
        self._change(doc, version, changes, at)
        held = self._held.get(uri)
        while held and doc.version is not None and held[0].version == doc.version + 1:
            self._filled = True
            waited = held.pop(0)
            self._change(doc, waited.version, waited.changes, waited.at)
        if held == []:
            del self._held[uri]

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def expire(self, at: int) -> None:
        """Apply the changes that have waited HOLD_MS for a predecessor that did not come."""
        for uri in [u for u, held in self._held.items() if held[0].at + HOLD_MS <= at]:
            if not self._filled and not self._versions_skip:
                self._versions_skip = True
                log.info("codetape: this editor's document versions skip numbers; changes apply as they "
                         "arrive")
            self.release(uri, at)

    def release(self, uri: str | None, at: int) -> None:
        """Apply the held changes of one document (`uri`), or of all (None), in version order."""
        for key in list(self._held) if uri is None else [uri]:
            held = self._held.pop(key, None)
            doc = self.docs.get(key)
            if not held or doc is None:
                continue
            for waited in held:
                if doc.version is not None and waited.version > doc.version + 1:
                    first, last = doc.version + 1, waited.version - 1
                    doc.drift = f"version {first} never arrived" if first == last else \
                        f"versions {first} to {last} never arrived"
                self._change(doc, waited.version, waited.changes, waited.at)

    def _change(self, doc: TrackedDocument, version: int | None, changes: list[ContentChange],
                at: int) -> None:
        previous = doc.version  # (what a server's edits were computed for: lsp_bridge/origins.py)
        if version is not None and doc.version is not None and version <= doc.version:
            log.warning("codetape: %s went from version %s back to %s", doc.path, doc.version, version)
            doc.drift = f"version {version} arrived after version {doc.version}"
        doc.version = version
        if any(change.range is None for change in changes) and not self._still_there(doc, at):
            return
        if doc.stale:
            self.offers.drop(doc.uri)
            fulls = [i for i, change in enumerate(changes) if change.range is None]
            if not fulls:
                return
            changes = changes[fulls[-1]:]
        if t.too_large(*(change.text for change in changes)):
            doc.stale = True
            self.offers.drop(doc.uri)
            log.warning("codetape: a change to %s is too large to record", doc.path)
            gap = t.gap_step("other", f"a change to {doc.path} is too large to record", lost=1)
            self.recorder.record(doc.root, Outgoing(at, gap))
            return
        targets = self._targets(doc.root)
        before = doc.text if self.origins.wanted(doc.uri) else None  # (only while a server's edits are due)
        if targets and (caret := self.offers.caret(doc.uri)) is not None:
            here = Range(start=caret, end=caret)
            self.offers.place(doc.uri, {str(e): doc.convert(here, e, self.encoding).start for e in targets})
        try:
            if doc.encoding == self.encoding:
                variants = doc.apply(changes, targets)
            else:  # the editor's positions, counted as it really counts, recorded as negotiated
                raw, variants = changes, doc.apply(changes, (*targets, self.encoding))
                changes = variants.pop(self.encoding, raw)
                if doc.encoding in targets:
                    variants[doc.encoding] = raw
        except OutOfRange as exc:
            doc.stale = True
            self.offers.drop(doc.uri)
            log.error("codetape: skipped a change to %s: %s", doc.path, exc)
            gap = t.gap_step("malformed_input", f"didChange: {exc}", lost=1)
            self.recorder.record(doc.root, Outgoing(at, gap))
            return
        doc.stale = False
        step = t.edit_step(doc.path, version, changes)
        others = {str(e): t.edit_step(doc.path, version, c) for e, c in variants.items()}
        origin = self.origins.of(doc.uri, version, previous, changes, before, doc.doc, self.encoding, at)
        if origin is not None:
            for each in (step, *others.values()):
                each["origin"], each["origin_detail"] = origin
        item = Outgoing(at, step, others or None, (doc.path,))
        if origin is None:
            self.origins.held(doc.uri, version, item)
        self.offers.changed(doc.uri, changes, self.origins.taken, self.encoding, at)  # (its step first)
        self.recorder.record(doc.root, item)
        if self._offers_due:
            self._reported_due(doc, at)

    def did_close(self, params: Any, at: int) -> None:
        """textDocument/didClose"""
        uri = t.document_uri(params)
        self.too_large.discard(uri)
        self.origins.closed(uri)
        self.offers.closed(uri, at)
        self._offers_due.pop(uri, None)
        doc = self.docs.pop(uri, None)
        if doc is not None:
            self._record(doc.root, at, t.close_step(doc.path), (doc.path,))

    def did_save(self, params: Any, at: int) -> None:
        """textDocument/didSave (with the text when the editor includes it), checked against the copy."""
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
        truth, why = self._saved(doc, text, at)
        if truth is None:
            step = t.save_step(doc.path, None)
        else:
            if why:
                self._resync(doc, truth, why, at)
            step = t.save_step(doc.path, sha256_text(truth))
        self._record(doc.root, at, step, (doc.path,))

    def _saved(self, doc: TrackedDocument, text: str | None, at: int) -> tuple[str | None, str]:
        """What the save wrote (None: cannot tell) and, when the copy drifted from it, why.

        The save's own text is the editor's word on that save, unless it is the copy with its line breaks
        spelt `\\n` (ALE's join), or the copy and the file on disk agree on another (the odd one out). A save
        without text is checked against the file on disk, unless that was written after the save arrived."""
        tracked = None if doc.stale else doc.text
        if text is not None and tracked is not None and "\n" in tracked and \
                text == tracked.replace("\n", "\\n"):
            log.warning("codetape: the editor's save text for %s has its line breaks written as backslash-n "
                        "(ALE's): the edits' text is kept", doc.path)  # (ALE may send it before Vim wrote)
            text = tracked
        if text is not None and text == tracked:
            return tracked, ""
        disk = self._disk_text(doc, at) if text is None or tracked is not None else None
        if disk is not None and disk == tracked:
            if text is not None:
                log.warning("codetape: the editor's save text for %s differs from both its edits and the "
                            "file on disk: ignored", doc.path)
            return tracked, ""
        if text is not None:  # (the disk may already hold a later save: its mtime, from the kernel's
            # coarse clock, cannot tell within milliseconds; lsp-mode saved three times within 20 ms)
            truth, what = text, "the editor's save text"
        elif disk is not None:
            truth, what = disk, "the file on disk after the save"
        else:
            return tracked, ""
        copy = "the edits were lost" if tracked is None else "the edits the editor sent do not make it"
        cause = f" ({doc.drift})" if doc.drift and tracked is not None else ""
        if tracked is not None and (units := self._counted(doc, truth)) is not None:
            cause = f" (the editor counts columns in {units} though it negotiated {self.encoding}; read so " \
                "from here on)"
        return truth, f"{doc.path}: {what} is the true text; {copy}{cause}"

    def _counted(self, doc: TrackedDocument, truth: str) -> PositionEncoding | None:
        """The encoding the editor's positions are really counted in, when the changes since the copy was
        last exact make `truth` in it (lsp-mode negotiates utf-16 and counts code points); from then on,
        every document reads the editor's positions so."""
        for units in ENCODINGS:
            if units != doc.encoding and doc.reread(units) == truth:
                log.warning("codetape: the editor counts columns in %s though it negotiated %s", units,
                            self.encoding)
                self.units = None if units == self.encoding else units
                for each in self.docs.values():
                    each.count_in(units)
                return units
        return None

    def _disk_text(self, doc: TrackedDocument, at: int) -> str | None:
        """The document's file as the save at `at` left it, as text (a leading byte order mark dropped);
        None when it cannot be read as text within the size limit, or was written after `at` (a later
        save: proxy mode's translator may read a save's file some milliseconds late)."""
        found = self._read(doc.root, doc.path, self._max_file_bytes)
        if found is None or found.modified_ms > at:
            return None
        text = t.file_content(found.data, max_bytes=self._max_file_bytes).get("text")
        return text.removeprefix("\ufeff") if isinstance(text, str) else None

    def _resync(self, doc: TrackedDocument, truth: str, why: str, at: int) -> None:
        log.warning("codetape: resynchronised %s", why)
        doc.replace(truth)
        doc.drift = ""
        gap = t.gap_step("resync", why, state=[{"path": doc.path, "text": truth}])
        self._record(doc.root, at, gap, (doc.path,))

    def _still_there(self, doc: TrackedDocument, at: int) -> bool:
        """Whether an open document still lies where it did; if not (a folder on its way became a link,
        out of the workspace or elsewhere in it), it is closed and what the editor sends is not recorded."""
        if self.workspaces.locate(doc.uri, fresh=True) == Located(doc.root, doc.path):
            return True
        log.warning("codetape: %s does not lie in the workspace where it did (a link?): closed", doc.path)
        del self.docs[doc.uri]
        self._record(doc.root, at, t.close_step(doc.path), (doc.path,))
        return False

    # -- offers (proxy mode) -----------------------------------------------------------------------------

    def completion_offered(self, uri: str, provider: str | None, at: int) -> None:
        """The completion list origins.py has just read for `uri` is an offer (lsp_bridge/offers.py)."""
        doc = self.docs.get(uri)
        listed = self.origins.listed(uri)
        if doc is not None and not doc.stale and listed is not None:
            self.offers.completion(uri, self._caret(doc, listed[0]), listed[1], provider, at)

    def inline_offered(self, uri: str, params: Any, result: Any, provider: str | None, at: int) -> None:
        """A `textDocument/inlineCompletion` answer for `uri`."""
        doc = self.docs.get(uri)
        if doc is None or doc.stale or not isinstance(params, dict):
            return
        try:
            caret = self._caret(doc, t.position(params.get("position")))
        except MalformedMessage:
            return
        lines = doc.doc.lines
        line = content_of(lines[caret.line]) if caret.line < len(lines) else None
        self.offers.inline(uri, {**params, "position": {"line": caret.line, "character": caret.character}},
                           result, line, self.encoding, provider, at)

    def _caret(self, doc: TrackedDocument, where: Position) -> Position:
        """A position the editor sent, counted as the steps are recorded."""
        if doc.encoding == self.encoding:
            return where
        return doc.convert(Range(start=where, end=where), self.encoding).start

    def _offered(self, uri: str, fields: dict[str, Any], caret: Position, variants: dict[str, Position],
                 at: int) -> None:
        doc = self.docs.get(uri)
        if doc is None:
            return
        step = {"kind": "offer", "source": t.SOURCE, "path": doc.path, "range": Range(start=caret, end=caret),
                **fields}
        others = {e: {**step, "range": Range(start=p, end=p)} for e, p in variants.items()}
        self._record(doc.root, at, step, (doc.path,), others)

    def offer_reported(self, message: OfferParams, at: int) -> None:
        """codetape/offer: a menu the editor showed, sent once it closed (the taken text in the buffer),
        recorded once the document is at the version it names (its didChange may come after it)."""
        doc = self.docs.get(message.uri)
        if doc is None or doc.stale:
            return
        if message.version is not None and doc.version is not None and doc.version < message.version:
            waiting = self._offers_due.setdefault(doc.uri, [])
            waiting.append((message, at))
            del waiting[:-MAX_OFFERS_DUE]
            return
        self._record_reported(doc, message, at)

    def _reported_due(self, doc: TrackedDocument, at: int) -> None:
        """Record the editor's offers that waited for the version the document has now reached (or passed
        OFFER_WAIT_MS ago)."""
        waiting = self._offers_due.get(doc.uri, [])
        due = [(m, when) for m, when in waiting if doc.version is None or m.version is None or
               m.version <= doc.version or when + OFFER_WAIT_MS < at]
        if not due:
            return
        self._offers_due[doc.uri] = [entry for entry in waiting if entry not in due]
        for message, _ in due:
            self._record_reported(doc, message, at)

    def _record_reported(self, doc: TrackedDocument, message: OfferParams, at: int) -> None:
        start, end = message.range.start, message.range.end
        where = Range(start=Position(line=start.line, character=start.character),
                      end=Position(line=end.line, character=end.character))
        if doc.encoding != self.encoding:
            where = doc.convert(where, self.encoding)
        items = [(item.text, item.ai) for item in message.items]
        step = {"kind": "offer", "source": t.SOURCE, "path": doc.path, "range": where,
                "via": message.via, "evidence": message.detail, **offered(items, message.taken, message.more),
                "decision": message.decision, "applied": True}
        if message.provider:
            step["provider"] = message.provider
        if message.ai:
            step["ai"] = True
        others = {str(e): {**step, "range": doc.convert(where, e, self.encoding)}
                  for e in self._targets(doc.root)}
        self._record(doc.root, at, step, (doc.path,), others)

    # -- files ----------------------------------------------------------------------------------------

    def _content(self, located: Located) -> dict[str, Any] | None:
        found = self._read(located.root, located.path, self._max_file_bytes)
        if found is None:
            return None
        return t.file_content(found.data, max_bytes=self._max_file_bytes)

    def _file(self, located: Located, at: int, change: str) -> None:
        if ".git" in located.path.lower().split("/"):  # `.GIT` is git's folder where names ignore case
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
                moved = [(doc.convert(where, encoding, self.encoding), kept) for where, kept in items]
                if any(m[0] != i[0] for m, i in zip(moved, items, strict=True)):
                    variants[encoding] = t.diagnostics_step(located.path, origin, version, moved)
        self._record(located.root, at, step, (located.path,), variants)

    def cursor(self, uri: str, selections: list[Selection], at: int) -> None:
        """Where the carets are in one document (codetape/cursor)."""
        located, doc = self._where(uri)
        if located is None:
            return
        variants: dict[str, dict[str, Any]] = {}
        if doc is not None and not doc.stale:
            for encoding in self._targets(doc.root):
                spans = [doc.convert(Range(start=s.anchor, end=s.active), encoding, self.encoding)
                         for s in selections]
                moved = [Selection(anchor=span.start, active=span.end) for span in spans]
                if moved != selections:
                    variants[encoding] = t.cursor_step(located.path, moved)
        self._record(located.root, at, t.cursor_step(located.path, selections), (located.path,), variants)
