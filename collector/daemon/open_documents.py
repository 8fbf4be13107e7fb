"""The documents the editors have open, with their current text, across episode boundaries.

When an episode is sealed the editors keep working: the next keystroke edits a document the new
episode has never seen. The session follows open documents as steps go by, each with the connections
(bridges) that have it open: a bridge that closes it, exits or disconnects closes it for itself, and a
document nobody has open any more is forgotten. A new episode holds none of them at first: `opening`
gives the `open` step (the document's current text) to write just before the first step that needs it
(an edit or a save), so an episode replays on its own and holds no text of documents it never touched.
A close, or a gap's state, about a document the episode does not hold is followed but not written.

When the last connection that had a document open goes (its editor exited, crashed or lost the
collector) without closing it, the episode closes it (`closing`: a `close` step, source `collector`, reason
`editor_gone`), so that a replay reads the file from the disk, as every later writer finds it: when the
session lets the connection's documents go (`release`), or earlier, just before a change on disk of the
file that is not the editor's own write (an AI agent, `sed`, `git checkout` writing it meanwhile).

A document edited and never saved when the last connection that had it open went away is remembered until
the episode ends (`_gone`): the file watcher's view of its buffer written for a save no step told of may
come after its editor has gone (a loaded machine, an editor that quits right after `:w`), and its content,
not the time it came, says it is that save. Such a document closes in the episode just after that save
(`closes_after`), else just before the next change of the file, else when the episode ends (`gone`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from collector.text.digest import sha256_text
from collector.text.document import Document, Span
from schemas import steps as kinds
from schemas.common import PositionEncoding
from schemas.steps.base import Range

GONE_LIMIT = 256  # edited documents remembered after their editors went (the oldest forgotten first)


@dataclass
class _Open:
    doc: Document
    language_id: str
    version: int | None
    owners: set[object] = field(default_factory=set)  # the connections that have it open (None: unknown)
    edited: bool = False  # edited since it was opened, saved or resynchronised: its text not yet on disk
    saved: str | None = None  # its text when it was last opened, saved or resynchronised


class OpenDocuments:
    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}
        self._held: set[str] = set()  # the documents the open episode holds: its replay has them open
        self._gone: dict[str, _Open] = {}  # edited, unsaved, nobody has them open: held by the episode
        self._left: set[object] = set()  # connections gone whose documents are not let go yet (`leave`)

    def note(self, step: kinds.Step, encoding: PositionEncoding, owner: object = None) -> None:
        """Follow one step written to the episode (positions in `encoding`, the episode's) `owner` sent."""
        self._gone.pop(getattr(step, "path", None) or "", None)  # its save, or what came after it
        match step:
            case kinds.EditStep():  # (first: nearly every step is one, and each case is an isinstance)
                self._edit(step.path, step.version, [(c.range, c.text) for c in step.changes], encoding)
            case kinds.OpenStep(source="collector") if step.path in self._open:
                pass  # `opening`'s step: the document as followed, nobody opened it again
            case kinds.OpenStep():
                before = self._open.get(step.path)
                owners = ({owner} | before.owners) if before is not None else {owner}
                self._open[step.path] = _Open(Document(step.text, encoding), step.language_id, step.version,
                                              owners, saved=step.text)
                self._held.add(step.path)
            case kinds.CloseStep():
                self._held.discard(step.path)
                self._close(step.path, owner)
            case kinds.SaveStep() if step.path in self._open:
                entry = self._open[step.path]
                if step.text is not None:
                    entry.doc = Document(step.text, encoding)
                entry.edited = False
                entry.saved = entry.doc.text
            case kinds.GapStep(state=list() as state):  # a resync: these are the editor's documents now
                for file in state:
                    if file.text is None:
                        self._open.pop(file.path, None)
                        self._held.discard(file.path)
                    else:
                        self._carry(file.path, file.text, encoding, owner)
                        self._held.add(file.path)
            case _:  # on purpose: the other kinds open, change or close no document
                pass

    def withhold(self, step: kinds.Step, encoding: PositionEncoding,
                 owner: object = None) -> kinds.Step | None:
        """`step` as the episode is to hold it, or None when it is about nothing the episode holds: a close
        of a document the episode never had open, a gap whose state names only such documents and that
        lost no step. What is left out is followed all the same (a gap's text is kept for later)."""
        if type(step) is kinds.CloseStep and step.path not in self._held:
            self._close(step.path, owner)
            return None
        if type(step) is not kinds.GapStep or not step.state:
            return step
        kept = []
        for file in step.state:
            if file.path in self._held:
                kept.append(file)
            elif file.text is not None:
                self._carry(file.path, file.text, encoding, owner)
            else:
                self._open.pop(file.path, None)
        if len(kept) == len(step.state):
            return step
        if kept or step.lost_steps:
            return msgspec.structs.replace(step, state=kept or None)
        return None

    def opening(self, step: kinds.Step) -> kinds.OpenStep | None:
        """The `open` step (`t_ms` 0) to write just before `step` when it touches a document the episode
        does not hold yet; None otherwise. The document then counts as held."""
        if type(step) is not kinds.EditStep and type(step) is not kinds.SaveStep:
            return None  # (`type(step) is`: the step types have no subclasses, and isinstance costs 5x)
        path = step.path
        entry = None if path in self._held else self._open.get(path)
        if entry is None:
            return None
        self._held.add(path)
        return kinds.OpenStep(t_ms=0, source="collector", path=path, language_id=entry.language_id,
                              text=entry.doc.text, version=entry.version)

    def episode_ended(self) -> None:
        """The episode was sealed: the next one holds none of the documents until it touches them."""
        self._held.clear()
        self._gone.clear()

    def leave(self, owner: object) -> None:
        """`owner` (a bridge's connection) is gone; its documents are let go later (`release`). Until
        then a change on disk of a document only connections gone had open closes it (`closing`)."""
        self._left.add(owner)

    def release(self, owner: object) -> tuple[int, list[str]]:
        """`owner` (a bridge's connection) is gone: it has no document open any more. Returns how many
        documents nobody has open now, and the paths of those the episode holds, to close in it now; an
        edited one closes after its unsaid save instead (`closes_after`), which may still be on its way."""
        self._left.discard(owner)
        closed, closing = 0, []
        for path, entry in list(self._open.items()):
            entry.owners.discard(owner)
            if entry.owners:
                continue
            del self._open[path]
            closed += 1
            if path not in self._held:
                continue
            if entry.edited:
                self._gone[path] = entry
                while len(self._gone) > GONE_LIMIT:  # (the oldest then stays open in the episode)
                    del self._gone[next(iter(self._gone))]
            else:
                closing.append(path)
        return closed, closing

    def closing(self, step: kinds.Step) -> str | None:
        """The path of the document to close in the episode just before `step`, or None: `step` changes
        on disk a file the episode holds open, whose editors are all gone, and is not their write of it
        (`holds`). The document is then forgotten."""
        if type(step) is not kinds.FileChangeStep or step.path not in self._held or self.holds(step):
            return None
        path = step.path
        if self._gone.pop(path, None) is not None:
            return path
        entry = self._open.get(path)
        if entry is None or not entry.owners or not entry.owners <= self._left:
            return None
        del self._open[path]
        return path

    def closes_after(self, step: kinds.Step) -> bool:
        """True when `step` (an unsaid save, `unsaid_save`) is of a document whose editors are gone and
        that the episode is to close just after it."""
        path = getattr(step, "path", None)
        return path in self._gone and path not in self._open

    def gone(self) -> list[str]:
        """The paths of the edited documents whose editors went and that the episode still holds open:
        to close when it ends."""
        return [path for path in self._gone if path in self._held and path not in self._open]

    def unsaid_save(self, step: kinds.Step) -> bool:
        """True for a file change `holds` says is an open document's text, edited since it was last opened
        or saved: the editor wrote its buffer, and no save step has said so (yet)."""
        entry = self._last(getattr(step, "path", None))
        return entry is not None and entry.edited and self.holds(step)

    def holds(self, step: kinds.Step) -> bool:
        """True for a created/modified file_change whose content is an open document's current text:
        the editor writing its buffer, seen by the file watcher (before or after the `save` step)."""
        if type(step) is not kinds.FileChangeStep or step.change not in ("created", "modified") \
                or step.sha256 is None:
            return False
        entry = self._last(step.path)
        return entry is not None and sha256_text(entry.doc.text) == step.sha256

    def saved_digest(self, step: kinds.Step) -> str | None:
        """The hash of what a save put on disk: its own, its text's, else (an editor's save that sends
        neither) the document's text as followed, which a replay writes at that save. None when unknown."""
        if type(step) is not kinds.SaveStep:
            return None
        if step.sha256 is not None:
            return step.sha256
        if step.text is not None:
            return sha256_text(step.text)
        entry = self._open.get(step.path)
        return None if entry is None else sha256_text(entry.doc.text)

    def _last(self, path: object) -> _Open | None:
        """The open document at `path`, else the edited one its editors left there unsaved."""
        if not isinstance(path, str):
            return None
        return self._open.get(path) or self._gone.get(path)

    def _carry(self, path: str, text: str, encoding: PositionEncoding, owner: object) -> None:
        entry = self._open.get(path)
        if entry is None:
            self._open[path] = _Open(Document(text, encoding), "", None, {owner})
            return
        entry.doc = Document(text, encoding)
        entry.edited = False  # (a gap's state: not known to differ from the disk, so no save is derived)
        entry.saved = text
        entry.owners.add(owner)

    def _close(self, path: str, owner: object) -> None:
        """`owner` closed the document: it stays open while another connection has it open; one that
        never opened it closes it for everyone."""
        entry = self._open.get(path)
        if entry is None:
            return
        if owner in entry.owners and len(entry.owners) > 1:
            entry.owners.discard(owner)
        else:
            del self._open[path]

    def _edit(self, path: str, version: int | None, changes: Sequence[tuple[Range | Span | None, str]],
              encoding: PositionEncoding) -> None:
        entry = self._open.get(path)
        if entry is None:
            return
        entry.doc.encoding = encoding
        for span, text in changes:
            entry.doc.apply(span, text)
        entry.version = version if version is not None else entry.version
        # a change that leaves the text as it was last saved (Kate's late didChange of the text its didSave
        # carried) does not make it edited: the file watcher's view of that save is that save (issue 86)
        entry.edited = not (entry.saved is not None and len(changes) == 1 and changes[0][0] is None
                            and changes[0][1] == entry.saved)

    def synced(self, path: str, text: str) -> None:
        """The editor read the file in: its document holds `text`, the file's text on disk, not edited."""
        entry = self._open.get(path)
        if entry is not None:
            entry.edited, entry.saved = False, text

    def reloaded(self, step: kinds.Step) -> str | None:
        """The text an editor's step reads into a document as a whole: an `open`'s (not the collector's),
        or an edit's that replaces the document's whole text; None for any other step."""
        if type(step) is kinds.OpenStep:
            return None if step.source == "collector" else step.text
        if type(step) is not kinds.EditStep or len(step.changes) != 1:
            return None
        change = step.changes[0]
        if change.range is None:
            return change.text
        entry = self._open.get(step.path)
        start, end = change.range.start, change.range.end
        if entry is None or start.line != 0 or start.character != 0:
            return None
        last = entry.doc.line_count - 1
        if end.line < last or (end.line == last
                               and end.character < len(entry.doc.lines[last].rstrip("\r\n"))):
            return None  # (a position's characters are code units: never fewer than the line's characters)
        return change.text

    def editing(self, path: str) -> bool | None:
        """Whether the document at `path` has edits not saved (None: no editor still connected has it open):
        while an editor has it open, its edits and save may still be on their way."""
        entry = self._open.get(path)
        if entry is None or not entry.owners - self._left:
            return None
        return entry.edited

    def may_save(self, step: kinds.Step) -> bool:
        """Whether an editor's save may yet explain a watcher's change of `step`'s file: an editor has the
        document open (its edits and save may still be on their way)."""
        return type(step) is kinds.FileChangeStep and self._last(step.path) is not None

    def texts(self, path: str) -> tuple[str, ...]:
        """The texts of the document at `path` an editor has or last saved (none when none is open)."""
        entry = self._last(path)
        return () if entry is None else (entry.doc.text, *((entry.saved,) if entry.saved is not None else ()))

    def saved_text(self, step: kinds.Step) -> str | None:
        """The text a save without one put on disk: its document's, as followed (None: unknown)."""
        if type(step) is not kinds.SaveStep or step.text is not None:
            return None
        entry = self._open.get(step.path)
        if entry is None:
            return None
        text = entry.doc.text
        return text if step.sha256 is None or sha256_text(text) == step.sha256 else None
