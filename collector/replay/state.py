"""What the player shows at one step: the workspace, the file in focus, carets, current diagnostics.

`PlayState.apply` moves one step forward and returns its effect: how an edit changed its document's
size (for `+12 chars`), or what a diagnostics step replaced (to tell `cleared` from nothing new);
`snapshot` and `restore` make the checkpoints seeking starts from (`of`: a state from a keyframe's
files). A snapshot holds both layers of the workspace (what is on disk, what the editor has open) and
shares the text of every buffer no step touched since the previous snapshot, so checkpoints cost little
memory. A restore goes through `Workspace.apply` with steps that set the same texts, so the workspace's
own bookkeeping stays right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collector.reconstruct.workspace import Workspace
from collector.text.document import Document
from collector.text.positions import caret_after
from schemas import steps as kinds
from schemas.common import PositionEncoding

RESTORE_SOURCE = "replay"


@dataclass(frozen=True, slots=True)
class Mark:
    """A span in a document in position units: where an edit put its text, or a selection."""

    anchor: tuple[int, int]
    active: tuple[int, int]

    @property
    def span(self) -> tuple[tuple[int, int], tuple[int, int]]:
        return min(self.anchor, self.active), max(self.anchor, self.active)


@dataclass(frozen=True, slots=True)
class EditSize:
    """How an edit step changed its document: characters inserted, size before and after."""

    inserted: int
    before: int
    after: int
    whole: bool  # one of its changes replaced the whole document

    @property
    def deleted(self) -> int:
        return self.inserted - (self.after - self.before)


@dataclass(frozen=True, slots=True)
class DiagnosticsChange:
    """What the same origin had published for the same file before a diagnostics step."""

    before: tuple[kinds.Diagnostic, ...]

    def same_as(self, step: kinds.DiagnosticsStep) -> bool:
        return tuple(step.items) == self.before


Effect = EditSize | DiagnosticsChange | None
Diagnostics = dict[str, dict[str, tuple[kinds.Diagnostic, ...]]]  # path -> origin -> items


@dataclass(frozen=True)
class Checkpoint:
    """The state after step `index` (-1: before any step)."""

    index: int
    buffers: dict[str, str]
    disk: dict[str, str]
    omitted: dict[str, str]
    focus: str | None
    marks: dict[str, Mark]
    diagnostics: Diagnostics = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


class PlayState:
    def __init__(self, encoding: PositionEncoding) -> None:
        self.encoding: PositionEncoding = encoding
        self.workspace = Workspace(encoding)
        self.focus: str | None = None
        self.marks: dict[str, Mark] = {}
        self.diagnostics: Diagnostics = {}
        self._dirty: set[str] = set()

    def apply(self, step: kinds.Step) -> Effect:
        """Move one step forward; ReconstructionError from the workspace when a step does not apply."""
        effect: Effect = None
        match step:
            case kinds.EditStep():
                doc = self.workspace.buffers.get(step.path)
                before = 0 if doc is None else doc.size
                start = self._edit_start(doc, step)
                self.workspace.apply(step)
                after = self.workspace.buffers[step.path].size
                inserted = sum(len(change.text) for change in step.changes)
                effect = EditSize(inserted, before, after, any(c.range is None for c in step.changes))
                self.marks[step.path] = Mark(start, caret_after(*start, step.changes[-1].text, self.encoding))
                self.focus = step.path
            case kinds.DiagnosticsStep():
                effect = DiagnosticsChange(self.diagnostics.get(step.path, {}).get(step.origin, ()))
                self.workspace.apply(step)
                self._note(step)
            case _:  # every other kind: applied and noted, with no effect to report
                self.workspace.apply(step)
                self._note(step)
        self._dirty.update(touched(step))
        return effect

    def _edit_start(self, doc: Document | None, step: kinds.EditStep) -> tuple[int, int]:
        """Where the last change puts its text: its range's start, clamped into the document as LSP
        clamps it (against the document before the step, exact for the usual one-change edit)."""
        last = step.changes[-1].range
        if last is None or doc is None:
            return 0, 0
        return doc.position(last.start.line, last.start.character)

    def _note(self, step: kinds.Step) -> None:
        match step:
            case kinds.OpenStep():
                self.focus = step.path
                self.marks.setdefault(step.path, Mark((0, 0), (0, 0)))
            case kinds.SaveStep():
                self.focus = step.path
            case kinds.CursorStep():
                first = step.selections[0]
                self.marks[step.path] = Mark((first.anchor.line, first.anchor.character),
                                             (first.active.line, first.active.character))
                self.focus = step.path
            case kinds.DiagnosticsStep():
                origins = self.diagnostics.setdefault(step.path, {})
                if step.items:
                    origins[step.origin] = tuple(step.items)
                else:
                    origins.pop(step.origin, None)
                    if not origins:
                        del self.diagnostics[step.path]
            case kinds.FileChangeStep(change="renamed", new_path=str() as new_path):
                if step.path in self.marks:
                    self.marks[new_path] = self.marks.pop(step.path)
                if step.path in self.diagnostics:
                    self.diagnostics[new_path] = self.diagnostics.pop(step.path)
                if self.focus == step.path:
                    self.focus = new_path
            case _:  # on purpose: the other kinds move no focus, caret nor diagnostics
                pass

    def snapshot(self, index: int, previous: Checkpoint | None = None) -> Checkpoint:
        """A checkpoint of the state after step `index`, sharing untouched texts with `previous`."""
        buffers: dict[str, str] = {}
        for path, doc in self.workspace.buffers.items():
            kept = None if previous is None or path in self._dirty else previous.buffers.get(path)
            buffers[path] = self.workspace.read(doc) if kept is None else kept
        self._dirty.clear()
        diagnostics = {path: dict(origins) for path, origins in self.diagnostics.items()}
        return Checkpoint(index, buffers, dict(self.workspace.disk), self.workspace.omitted, self.focus,
                          dict(self.marks), diagnostics, dict(self.workspace.links))

    @classmethod
    def of(cls, workspace: Workspace) -> PlayState:
        """The state of `workspace`'s files (a keyframe's), nothing shown beside them yet."""
        state = cls(workspace.encoding)
        state.workspace = workspace
        return state

    @classmethod
    def restore(cls, checkpoint: Checkpoint, encoding: PositionEncoding) -> PlayState:
        state = cls(encoding)
        apply = state.workspace.apply
        for path, text in checkpoint.disk.items():
            apply(kinds.FileChangeStep(t_ms=0, source=RESTORE_SOURCE, path=path, change="created", text=text))
        for path, reason in checkpoint.omitted.items():
            apply(kinds.FileChangeStep(t_ms=0, source=RESTORE_SOURCE, path=path, change="created",
                                       omitted="binary" if reason == "binary" else "too_large"))
        for path, target in checkpoint.links.items():
            apply(kinds.FileChangeStep(t_ms=0, source=RESTORE_SOURCE, path=path, change="created",
                                       link=target))
        for path, text in checkpoint.buffers.items():
            apply(kinds.OpenStep(t_ms=0, source=RESTORE_SOURCE, path=path, text=text))
        state.focus = checkpoint.focus
        state.marks = dict(checkpoint.marks)
        state.diagnostics = {path: dict(origins) for path, origins in checkpoint.diagnostics.items()}
        return state


def touched(step: kinds.Step) -> list[str]:
    """Every path whose text a step can change."""
    match step:
        case kinds.OpenStep() | kinds.SaveStep() | kinds.EditStep():
            return [step.path]
        case kinds.FileChangeStep():
            return [step.path] if step.new_path is None else [step.path, step.new_path]
        case kinds.GapStep(state=list() as state):
            return [file.path for file in state]
        case _:  # on purpose: the other kinds change no text (as workspace.py's step_paths says)
            return []
