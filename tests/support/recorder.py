"""The session clock and its two outputs: codetape steps and the equivalent LSP wire messages.

Keystrokes come in from the Typist as `advance` (time passing) and `emit` (the change). While time
passes the recorder fires what an editor and pylsp do on their own: diagnostics after a debounce
once typing stops, and a save (Ctrl+S) every 25-40 s at the first real pause, then the on-save lint.
With `training` on, each edit carries its origin (what the Typist says it was, with the evidence an
editor plugin gives), the editor reports the caret (`cursor`) when a burst of typing ends, and the
suggestions the Typist is offered are `offer` steps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from collector.text.digest import sha256_text
from schemas import Step, step_from_dict
from tests.support import wire
from tests.support.buffer import Buffer, Change
from tests.support.lint import diagnose
from tests.support.wire import RECV, SEND, WireMessage

LSP = "lsp"
EVIDENCE = {"typed": "vscode:type", "paste": "vscode:editor.action.clipboardPasteAction",
            "completion": "lsp:textDocument/completion",
            "ai_completion": "lsp:textDocument/inlineCompletion"}  # an edit's origin_detail, by origin


@dataclass
class OpenDoc:
    path: str
    uri: str
    buf: Buffer
    version: int = 1
    dirty: bool = False


@dataclass
class Recorder:
    rng: random.Random
    root_uri: str
    steps: list[Step] = field(default_factory=list)
    wire: list[WireMessage] = field(default_factory=list)
    docs: dict[str, OpenDoc] = field(default_factory=dict)
    active: OpenDoc | None = None
    t: int = 0
    _last_edit: int = 0
    _diag_at: int | None = None
    _save_due: int = 30_000
    training: bool = False  # edits with origins, and cursor steps

    def step(self, data: dict[str, Any], message: dict[str, Any] | None, direction: str = SEND) -> None:
        data["t_ms"] = self.t
        data.setdefault("source", LSP)
        self.steps.append(step_from_dict(data))
        if message is not None:
            self.wire.append(WireMessage(self.t, direction, message))

    def custom(self, data: dict[str, Any]) -> None:
        """A step no language server sees, forwarded as a codetape/<kind> notification."""
        params = {k: v for k, v in data.items() if k != "kind"}
        self.step(data, wire.notification(f"codetape/{data['kind']}", params))

    # -- time ------------------------------------------------------------------------------------------

    def advance(self, delay: int) -> None:
        """Let `delay` ms pass (plus any pending), firing the debounced lint and due saves on the way."""
        end = self.t + delay
        doc = self.active
        if doc is not None and self._diag_at is not None and self._diag_at < end:
            self.t = max(self.t, self._diag_at)
            self._diag_at = None
            self.diagnostics(doc)
        if doc is not None and doc.dirty and self._save_due <= end and end - self._last_edit >= 800:
            at = max(self._save_due, self._last_edit + self.rng.randint(250, 700), self.t)
            if at < end:
                self.t = at
                self.save(doc)
                lint_at = self.t + self.rng.randint(40, 200)
                if lint_at < end:
                    self.t = lint_at
                    self.diagnostics(doc)
        self.t = max(self.t, end)

    def emit(self, change: Change, origin: str = "typed") -> None:
        """The Typist's keystroke: one content change to the active document, now, and whose work it is."""
        assert self.active is not None
        self.edit(self.active, [change], origin if self.training else None)

    # -- editor events ---------------------------------------------------------------------------------

    def open(self, path: str, text: str) -> OpenDoc:
        doc = OpenDoc(path, f"{self.root_uri}/{path}", Buffer(text))
        self.docs[path] = doc
        self.step({"kind": "open", "path": path, "language_id": "python", "version": 1, "text": text},
                  wire.did_open(doc.uri, 1, text))
        return doc

    def close(self, doc: OpenDoc) -> None:
        self.step({"kind": "close", "path": doc.path}, wire.did_close(doc.uri))
        del self.docs[doc.path]
        if self.active is doc:
            self.active = None

    def edit(self, doc: OpenDoc, changes: list[Change], origin: str | None = None) -> None:
        doc.version += 1
        doc.dirty = True
        data: dict[str, Any] = {"kind": "edit", "path": doc.path, "version": doc.version, "changes": [
            {"range": wire.lsp_range(c.start, c.end), "text": c.text} for c in changes]}
        if origin is not None:
            data.update(origin=origin, origin_detail=EVIDENCE[origin])
        self.step(data, wire.did_change(doc.uri, doc.version, changes))
        self._last_edit = self.t
        self._diag_at = self.t + self.rng.randint(350, 650)

    def offer(self, fields: dict[str, Any]) -> None:
        """Suggestions offered at the active document's caret, just before the change that decides them
        (an `offer` step as the bridge records one in proxy mode; a codetape/offer notification)."""
        doc = self.active
        assert doc is not None
        at = (doc.buf.line, doc.buf._u16(doc.buf.line, doc.buf.col))
        self.custom({"kind": "offer", "source": "bridge", "path": doc.path, "range": wire.lsp_range(at, at),
                     **fields})

    def cursor(self, doc: OpenDoc) -> None:
        """The editor's report of where the caret is (a codetape/cursor notification), in training mode."""
        if self.training:
            at = {"line": doc.buf.line, "character": doc.buf.col}
            self.custom({"kind": "cursor", "path": doc.path, "selections": [{"anchor": at, "active": at}]})

    def save(self, doc: OpenDoc) -> None:
        digest = sha256_text(doc.buf.text)
        self.step({"kind": "save", "path": doc.path, "sha256": digest}, wire.did_save(doc.uri))
        doc.dirty = False
        self._save_due = self.t + self.rng.randint(25_000, 40_000)

    def diagnostics(self, doc: OpenDoc) -> None:
        items = diagnose(doc.buf)
        self.step({"kind": "diagnostics", "path": doc.path, "origin": "pylsp", "version": doc.version,
                   "items": items}, wire.publish_diagnostics(doc.uri, doc.version, items), RECV)

    def save_all(self) -> None:
        """Save every dirty document (before running tests, committing, switching files)."""
        for doc in self.docs.values():
            if doc.dirty:
                self.advance(self.rng.randint(150, 900))
            if doc.dirty:
                self.save(doc)
