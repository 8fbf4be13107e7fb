"""The check at save: the bridge's copy of a document against the editor's, and a `save` step.

At each save the copy is checked against the save's text, else the file on disk: when it drifted
(versions lost or late, positions counted in another encoding than the one negotiated) a `gap` with
reason `resync` carries the true text, so the episode still replays exactly. A save text that disagrees
with both the copy and the file on disk (ALE's literal `\\n`) is the odd one out and ignored. An editor
found counting positions in another encoding is read so from then on, in every document.

A save text the copy lacks while nothing says the copy drifted (no version lost or late, no message of
the editor's unread or dropped, positions counted as negotiated) is the editor's change that it sent only
in its save: Kate, saving as soon as the typing stops, sends no `didChange` for that typing at all, or
sends it after the save. It is recorded as that change, an `edit` before the save, not as a resync
(issue 86).

Text the editor has just read from disk (a save with its text) is recorded only if its path still lies
in the workspace where it did (documents/tracking.py); the file on disk is read through files.py's
`read_file`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from collector.text.digest import sha256_text
from lsp_bridge.capture.files import ReadFile
from lsp_bridge.documents.tracked import ENCODINGS, TrackedDocument
from lsp_bridge.documents.tracking import Tracking
from lsp_bridge.steps.translate import document_uri, file_content, gap_step, save_step, string, too_large
from schemas.steps import FileState

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

log = logging.getLogger(__name__)


Unsent = Callable[[TrackedDocument, str, int], None]  # the editor's whole text, recorded as its change


class Resync:
    def __init__(self, tracking: Tracking, read: ReadFile, max_file_bytes: int,
                 unsent: Unsent | None = None) -> None:
        self.tracking = tracking
        self.documents = tracking.documents
        self._read = read
        self._max_file_bytes = max_file_bytes
        self._unsent = unsent

    def did_save(self, params: Any, at: int, *, editors: bool = True) -> None:
        """textDocument/didSave (with the text when the editor includes it), checked against the copy.
        `editors`: the text is the editor's own (a notebook's is the bridge's cells joined)."""
        uri = document_uri(params)
        raw = params.get("text")
        text = None if raw is None else string(raw, "text")
        if text is not None and too_large(text):
            text = None
        doc = self.documents.by_uri.get(uri)
        if doc is not None and text is not None and not self.tracking.still_there(doc, at):
            return
        if doc is None:
            located = self.tracking.workspaces.locate(uri, fresh=True)
            if located is not None and text is not None:
                self.tracking.record(located.root, at, save_step(located.path, sha256_text(text), text),
                                     (located.path,))
            return
        truth, why, counted = self._saved(doc, text, at)
        if why and not counted and editors and truth is not None and truth == text and not doc.drift \
                and not doc.stale and self._unsent is not None:
            self._unsent(doc, truth, at)
            why = "" if doc.text == truth else why
        if truth is None:
            step = save_step(doc.path, None)
        else:
            if why:
                self._resync(doc, truth, why, at)
            step = save_step(doc.path, sha256_text(truth))
        self.tracking.record(doc.root, at, step, (doc.path,))

    def _saved(self, doc: TrackedDocument, text: str | None, at: int) -> tuple[str | None, str, bool]:
        """What the save wrote (None: cannot tell), when the copy differs from it, why, and whether the
        editor was found counting positions in another encoding (which explains the difference).

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
            return tracked, "", False
        disk = self._disk_text(doc, at) if text is None or tracked is not None else None
        if disk is not None and disk == tracked:
            if text is not None:
                log.warning("codetape: the editor's save text for %s differs from both its edits and the "
                            "file on disk: ignored", doc.path)
            return tracked, "", False
        if text is not None:  # (the disk may already hold a later save: its mtime, from the kernel's
            # coarse clock, cannot tell within milliseconds; lsp-mode saved three times within 20 ms)
            truth, what = text, "the editor's save text"
        elif disk is not None:
            truth, what = disk, "the file on disk after the save"
        else:
            return tracked, "", False
        copy = "the edits were lost" if tracked is None else "the edits the editor sent do not make it"
        cause = f" ({doc.drift})" if doc.drift and tracked is not None else ""
        units = None if tracked is None else self._counted(doc, truth)
        if units is not None:
            negotiated = self.documents.encoding
            cause = f" (the editor counts columns in {units} though it negotiated {negotiated}; read so " \
                "from here on)"
        return truth, f"{doc.path}: {what} is the true text; {copy}{cause}", units is not None

    def _counted(self, doc: TrackedDocument, truth: str) -> PositionEncoding | None:
        """The encoding the editor's positions are really counted in, when the changes since the copy was
        last exact make `truth` in it (lsp-mode negotiates utf-16 and counts code points); from then on,
        every document reads the editor's positions so."""
        for units in ENCODINGS:
            if units != doc.encoding and doc.reread(units) == truth:
                log.warning("codetape: the editor counts columns in %s though it negotiated %s", units,
                            self.documents.encoding)
                self.documents.units = None if units == self.documents.encoding else units
                for each in self.documents.by_uri.values():
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
        text = file_content(found.data, max_bytes=self._max_file_bytes).get("text")
        return text.removeprefix("\ufeff") if isinstance(text, str) else None

    def _resync(self, doc: TrackedDocument, truth: str, why: str, at: int) -> None:
        log.warning("codetape: resynchronised %s", why)
        doc.replace(truth)
        doc.drift = ""
        gap = gap_step("resync", why, state=[FileState(path=doc.path, text=truth)])
        self.tracking.record(doc.root, at, gap, (doc.path,))
