"""The documents the editors have open, with their current text, across episode boundaries.

When an episode is sealed the editors keep working: the next keystroke edits a document the new
episode has never seen. The session tracks open documents as steps go by and starts every new episode
with an `open` step for each, so an episode always replays on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collector.episode.edits import Edit
from collector.text.digest import sha256_text
from collector.text.document import Document, Span
from schemas.common import PositionEncoding, Range
from schemas.steps import CloseStep, EditStep, GapStep, OpenStep, SaveStep, Step


@dataclass
class _Open:
    doc: Document
    language_id: str
    version: int | None


class OpenDocuments:
    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}

    def note(self, step: Step | Edit, encoding: PositionEncoding) -> None:
        """Follow one recorded step (positions in `encoding`, the episode's)."""
        match step:
            case Edit():
                self._edit(step.path, step.version, step.changes, encoding)
            case OpenStep():
                self._open[step.path] = _Open(Document(step.text, encoding), step.language_id, step.version)
            case CloseStep():
                self._open.pop(step.path, None)
            case EditStep():
                self._edit(step.path, step.version, [(c.range, c.text) for c in step.changes], encoding)
            case SaveStep(text=str() as text) if step.path in self._open:
                self._open[step.path].doc = Document(text, encoding)
            case GapStep(state=list() as state):  # a resync: these are the editor's documents now
                for file in state:
                    if file.text is None:
                        self._open.pop(file.path, None)
                    elif file.path in self._open:
                        self._open[file.path].doc = Document(file.text, encoding)
                    else:
                        self._open[file.path] = _Open(Document(file.text, encoding), "", None)
            case _:
                pass

    def _edit(self, path: str, version: int | None, changes: Sequence[tuple[Range | Span | None, str]],
              encoding: PositionEncoding) -> None:
        entry = self._open.get(path)
        if entry is None:
            return
        entry.doc.encoding = encoding
        for span, text in changes:
            entry.doc.apply(span, text)
        entry.version = version if version is not None else entry.version

    def holds(self, step: dict[str, Any]) -> bool:
        """True for a created/modified file_change whose content is an open document's current text:
        the editor writing its buffer, seen by the file watcher (before or after the `save` step)."""
        path, digest = step.get("path"), step.get("sha256")
        if step.get("kind") != "file_change" or step.get("change") not in ("created", "modified"):
            return False
        entry = self._open.get(path) if isinstance(path, str) else None
        return entry is not None and digest is not None and sha256_text(entry.doc.text) == digest

    def opening_steps(self) -> list[dict[str, Any]]:
        """An `open` step (without t_ms) for every open document, to begin a new episode with."""
        steps = []
        for path, entry in sorted(self._open.items()):
            step: dict[str, Any] = {"kind": "open", "source": "collector", "path": path,
                                    "language_id": entry.language_id, "text": entry.doc.text}
            if entry.version is not None:
                step["version"] = entry.version
            steps.append(step)
        return steps
