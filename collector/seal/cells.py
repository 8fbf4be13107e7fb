"""A notebook's cells told at the seal: each edit of its virtual document gets the cell of the `.ipynb`
it lies in, and each save the notebook file it wrote.

jupyterlab-lsp's virtual document (`.virtual_documents/NAME.ipynb`) is the notebook's code cells joined
by three line breaks (collector/text/notebook_cells.py), and its text alone does not say where the cells
are: a cell may hold two blank lines in a row (PEP 8 between definitions) or start with a blank line. The
episode also holds the `.ipynb` at each save (the file watcher's `file_change`). Where a save's cells
line up with the virtual document, one way only, the document's cells are known there (an anchor); from
one anchor to the next every way the cells could lie is carried through each edit, forward from the
anchor before it and backward from the one after, and an edit's cell is the one every way left agrees on.
When they disagree the edit says `cell_unknown: ambiguous` (a line break typed between two cells, no later
text telling whose); with no anchor on either side, `unaligned`.

A virtual document is tied to the notebook file it mirrors, NAME at first: the watcher's rename of that
file moves the tie (jupyterlab-lsp goes on sending NAME, as for a new notebook renamed at its first save:
JupyterLab 4 saves it as `Untitled.ipynb`, then renames it).
A notebook saved that no virtual document is tied to is tied by its cells, as a fallback (a rename the
watcher saw as a delete and a create, or not at all): to the one virtual document whose text it lines up
with, when that document's own notebook is not on disk (deleted, or never seen) and no other notebook the
episode holds lines up with it too. Each save of the virtual document names the notebook it is tied to
once typing goes on after it, or the document closes (`notebook`): the file it wrote, renamed as the
watcher saw it.

A virtual document whose edits already carry their cell (LSP's notebook sync, VS Code's:
lsp_bridge/capture/notebooks.py, every cell's source in the document) is the editor's word: its edits keep
their cells and its saves name the notebook it mirrors.

The seal's steps go through in order: from a virtual document's first edit after an anchor, the steps are
held until its next anchor (JupyterLab autosaves every two minutes), its close, or the end; past
MAX_HELD steps the oldest document's edits are told from the anchor before them alone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from msgspec.structs import replace

from collector.text.notebook_cells import Segmentation, aligned, moves, notebook_cells
from collector.text.notebooks import is_notebook, mirrored
from collector.text.positions import line_end, line_start, to_index
from schemas import Step
from schemas import steps as kinds
from schemas.common import PositionEncoding

MAX_HELD = 50_000  # steps held waiting for a virtual document's next save, at most (autosaved every 2 min)
Ways = frozenset[Segmentation] | None  # the ways the cells may lie (None: any, nothing known)
Cells = list[tuple[str, str]]


@dataclass(slots=True)
class _Change:
    """One edit of a virtual document in its window: `removed` at `start` became `inserted`."""

    entry: list[object]  # the held entry of its step: [step, final]
    start: int
    removed: str
    inserted: str


@dataclass(slots=True)
class _Track:
    """One open virtual document, from its last anchor on."""

    text: str
    changes: list[_Change] = field(default_factory=list)
    ways: list[Ways] = field(default_factory=lambda: [None])  # forward, before each change and after all
    saved: list[tuple[int, str]] = field(default_factory=list)  # the states at its saves in the window
    # (each with its text; kept until a notebook's text lines up with one: the watcher's view of a save
    # may come after later saves)
    saves: list[list[object]] = field(default_factory=list)  # its saves held, told at its next edit
    near: tuple[int, int] = (0, 0)  # the line the last edit started on, and where that line starts


def align_cells(steps: Iterator[Step], encoding: PositionEncoding, held: int = MAX_HELD) -> Iterator[Step]:
    """`steps` with each virtual document's edits given their cells and its saves their notebook, at most
    `held` of them held back at a time."""
    aligner = _Aligner(encoding, held)
    for step in steps:
        yield from aligner.see(step)
    yield from aligner.end()


class _Aligner:
    def __init__(self, encoding: PositionEncoding, most: int) -> None:
        self.encoding: PositionEncoding = encoding
        self.most = most
        self.held: deque[list[object]] = deque()  # [step, final]
        self.tracks: dict[str, _Track] = {}  # by the virtual document's path
        self.ties: dict[str, str] = {}  # virtual document -> the notebook file it mirrors now
        self.notebooks: dict[str, Cells] = {}  # each notebook's cells at its last text in the episode
        self.told: set[str] = set()  # virtual documents whose edits the editor gave their cells

    def see(self, step: Step) -> Iterator[Step]:
        entry: list[object] = [step, True]
        self.held.append(entry)
        match step:
            case kinds.OpenStep(path=path) if _virtual(path):
                self._close(path)
                self.tracks[path] = track = _Track(step.text)
                cells = self.notebooks.get(self._tie(path))
                if cells is not None and (found := aligned(step.text, cells)) is not None:
                    track.ways = [frozenset({found})]
            case kinds.EditStep(path=path) if path in self.told or (step.cell is not None and _virtual(path)):
                self._told(path)
            case kinds.EditStep(path=path) if _virtual(path):
                self._edit(entry, step)
            case kinds.SaveStep(path=path) if path in self.told and path not in self.tracks:
                entry[0] = replace(step, notebook=self._tie(path))
            case kinds.SaveStep(path=path) if _virtual(path):
                saving = self.tracks.get(path)
                if saving is None:
                    entry[0] = replace(step, notebook=self._tie(path))
                else:  # which notebook it wrote: told by the watcher's record of it, which follows
                    entry[1] = False
                    saving.saved.append((len(saving.changes), saving.text))
                    saving.saves.append(entry)
            case kinds.CloseStep(path=path) if path in self.tracks:
                self._close(path)
            case kinds.GapStep(state=state) if state is not None and not step.on_disk_only:
                for file in state:  # the editor's documents after a hole: known again from this text
                    if _virtual(file.path):
                        self._close(file.path)
                        if file.text is not None:
                            self.tracks[file.path] = _Track(file.text)
            case kinds.FileChangeStep(change="renamed", new_path=new) if new is not None:
                self._renamed(step.path, new, step.text)
            case kinds.FileChangeStep(path=path, change="deleted") if is_notebook(path):
                self.notebooks.pop(path, None)
            case kinds.FileChangeStep(path=path, text=text) if text is not None and is_notebook(path):
                self._saved(path, text)
            case _:  # no other step says anything of a virtual document
                pass
        released = self._released()
        if len(self.held) > self.most:  # (its first step is one waiting)
            self._flush(self._oldest())
            released += self._released()
        return iter(released)

    def end(self) -> Iterator[Step]:
        for path in list(self.tracks):
            self._close(path)
        return iter(self._released())

    def _released(self) -> list[Step]:
        """The steps held that wait no longer, up to the first that does."""
        released = []
        while self.held and self.held[0][1]:
            released.append(self.held.popleft()[0])
        return released  # type: ignore[return-value]

    def _oldest(self) -> str:
        """The virtual document whose held edit or save is the first held."""
        first = id(self.held[0])
        return next(path for path, track in self.tracks.items()
                    if any(id(entry) == first for entry in [*(change.entry for change in track.changes),
                                                           *track.saves]))

    def _tie(self, path: str) -> str:
        return self.ties.setdefault(path, mirrored(path) or path)

    def _edit(self, entry: list[object], step: kinds.EditStep) -> None:
        track = self.tracks.get(step.path)
        if track is None:  # its text unknown (no open seen): nothing to tell its cell by
            entry[0] = replace(step, cell=None, cell_unknown="unaligned")
            return
        text = track.text
        where = _offsets(text, step.changes[0], self.encoding, track.near) \
            if len(step.changes) == 1 and step.changes[0].range is not None else None
        if where is None:  # the whole text, several changes, or not this text's: nothing known before it
            self._close(step.path)
            after: str | None = text
            for content in step.changes:
                after = _applied(after, content, self.encoding) if after is not None else None
            if after is not None:
                self.tracks[step.path] = _Track(after)
            # (a change of every character, or several: in no one cell; one off the text: not known)
            entry[0] = replace(step, cell=None, cell_unknown=None if len(step.changes) > 1 or
                               step.changes[0].range is None else "unaligned")
            return
        self._named(step.path, track)  # (typing goes on: its saves name the notebook as it is named now)
        entry[1] = False
        start, end = where
        line = step.changes[0].range.start.line  # type: ignore[union-attr]
        track.near = (line, text.rfind("\n", 0, start) + 1)  # (before the change: true after it too)
        change = _Change(entry, start, text[start:end], step.changes[0].text)
        track.text = text[:start] + change.inserted + text[end:]
        track.changes.append(change)
        track.ways.append(_forward(text, track.text, change, track.ways[-1]))

    def _renamed(self, old: str, new: str, text: str | None) -> None:
        """The watcher's rename of a file or a folder: the ties and the notebooks known move with it."""
        def moved(name: str) -> str | None:
            return new + name[len(old):] if name == old or name.startswith(old + "/") else None

        for path, name in self.ties.items():
            self.ties[path] = moved(name) or name
        for name in [name for name in self.notebooks if moved(name) is not None]:
            self.notebooks[moved(name) or name] = self.notebooks.pop(name)
        if text is not None and is_notebook(new):
            self._saved(new, text)

    def _saved(self, name: str, text: str) -> None:
        """A notebook's text on disk: an anchor for the virtual documents tied to it, else (the fallback)
        for the one whose text its cells line up with (module docstring)."""
        cells = notebook_cells(text)
        if cells is None:
            self.notebooks.pop(name, None)
            return
        self.notebooks[name] = cells
        tied = [path for path in self.tracks if self._tie(path) == name]
        for path in tied:
            self._anchor(path, cells, name)
        if tied:
            return
        matching = [path for path in self.tracks if self._lines_up(path, cells)]
        if len(matching) != 1:
            return
        path = matching[0]
        others = [other for other, its in self.notebooks.items()
                  if other != name and self._lines_up(path, its)]
        if self._tie(path) not in self.notebooks and not others:
            self.ties[path] = name
            self._anchor(path, cells, name)

    def _lines_up(self, path: str, cells: Cells) -> bool:
        track = self.tracks[path]
        return aligned(track.text, cells) is not None or \
            any(aligned(text, cells) is not None for _, text in track.saved)

    def _anchor(self, path: str, cells: Cells, name: str) -> None:
        """The notebook `name` at a save, laid over its virtual document at the first of its saves in the
        window whose text it lines up with, else now (the watcher's view came before the editor's save).
        The watcher sees the saves in order, each view after its save: the saves before the one it shows
        were anchored by their own views already, or their views were lost (taken for the later one's, the
        text being the same), so the first that lines up is the one it shows."""
        track = self.tracks[path]
        candidates = [*track.saved, (len(track.changes), track.text)]
        at = next(((index, way) for index, (_, text) in enumerate(candidates)
                   if (way := aligned(text, cells)) is not None), None)
        if at is None:
            return
        index, found = at
        state = candidates[index][0]
        # the saves after it wait for their own views (one with the same state too: its cells may differ)
        track.saved = [(later - state, saved) for later, saved in track.saved[index + 1:]]
        # the state anchored at: the text back there, then every edit before it told
        now = track.text
        for change in reversed(track.changes[state:]):
            now = _undone(now, change)
        self._tell(track, state, now, frozenset({found}))
        # the edits after it, carried forward from it again
        rest, track.changes, track.ways = track.changes[state:], [], [frozenset({found})]
        for change in rest:
            after = now[:change.start] + change.inserted + now[change.start + len(change.removed):]
            track.ways.append(_forward(now, after, change, track.ways[-1]))
            track.changes.append(change)
            now = after

    def _told(self, path: str) -> None:
        """A virtual document whose editor says each edit's cell (LSP notebook sync: VS Code): its edits
        keep theirs, its saves name its notebook."""
        self.told.add(path)
        self._close(path)

    def _close(self, path: str) -> None:
        """A document's window told from the anchor before it alone (closed, or its text known anew)."""
        track = self.tracks.pop(path, None)
        if track is not None:
            self._flush(path, track)

    def _flush(self, path: str, track: _Track | None = None) -> None:
        """A document's window told from the anchor before it alone (also when held too long: its next
        window starts where this one ends, with what is known there)."""
        track = track or self.tracks[path]
        self._named(path, track)
        self._tell(track, len(track.changes), track.text, None)
        track.changes, track.ways, track.saved = [], [track.ways[-1]], []

    def _named(self, path: str, track: _Track) -> None:
        """The document's saves held so far given the notebook it is tied to now: the file they wrote,
        under the name it has once the watcher's renames right after a save were seen (JupyterLab 4 saves a
        new notebook as `Untitled.ipynb`, then renames it)."""
        for entry in track.saves:
            entry[0] = replace(entry[0], notebook=self._tie(path))  # type: ignore[type-var]
            entry[1] = True
        track.saves.clear()

    def _tell(self, track: _Track, state: int, text: str, back: Ways) -> None:
        """The edits before `state` (where the document's text is `text`, its cells lying `back`'s ways)
        told, from the last to the first."""
        for index in range(state - 1, -1, -1):
            change = track.changes[index]
            before = _undone(text, change)
            forward_before, forward_after = track.ways[index], track.ways[index + 1]
            now = _both(forward_after, back)
            earlier = _backward(text, before, change, back)
            then = _both(forward_before, earlier)
            cells = None if then is None and now is None else _cells(before, text, change, then, now)
            step: kinds.EditStep = change.entry[0]  # type: ignore[assignment]
            if cells is not None and len(cells) == 1:
                told = replace(step, cell=next(iter(cells)), cell_unknown=None)
            else:  # none known, none fitting both sides, or more than one (too many to follow: None)
                told = replace(step, cell=None, cell_unknown="unaligned" if (then is None and now is None)
                               or cells == set() else "ambiguous")
            change.entry[0], change.entry[1] = told, True
            back, text = earlier, before


def _virtual(path: str) -> bool:
    return mirrored(path) is not None


def _both(one: Ways, other: Ways) -> Ways:
    if one is None:
        return other
    if other is None:
        return one
    return one & other


def _forward(before: str, after: str, change: _Change, ways: Ways) -> Ways:
    if ways is None:
        return None
    found = moves(before, after, change.start, len(change.removed), len(change.inserted), ways)
    return None if found is None else frozenset(found)


def _backward(after: str, before: str, change: _Change, ways: Ways) -> Ways:
    if ways is None:
        return None
    found = moves(after, before, change.start, len(change.inserted), len(change.removed), ways)
    return None if found is None else frozenset(found)


def _cells(before: str, after: str, change: _Change, then: Ways, now: Ways) -> set[int | None] | None:
    """The cells the change may lie in, going from one of `then`'s ways to one of `now`'s."""
    if then is not None:
        found = moves(before, after, change.start, len(change.removed), len(change.inserted), then)
        if found is None:
            return None
        return {cell for way, cells in found.items() if now is None or way in now for cell in cells}
    if now is not None:
        found = moves(after, before, change.start, len(change.inserted), len(change.removed), now)
        return None if found is None else {cell for cells in found.values() for cell in cells}
    return None


def _undone(text: str, change: _Change) -> str:
    return text[:change.start] + change.removed + text[change.start + len(change.inserted):]


def _offsets(text: str, change: kinds.ContentChange, encoding: PositionEncoding,
             near: tuple[int, int] = (0, 0)) -> tuple[int, int] | None:
    """Where a ranged change starts and ends in `text`; None when the text has no such place. Its lines
    are found from `near`, a line and where it starts (the edit before's, as typing goes on there)."""
    assert change.range is not None
    found = []
    for at in (change.range.start, change.range.end):
        start = _line_start(text, at.line, near)
        if start is None:
            return None
        found.append(start + to_index(text[start:line_end(text, start)], at.character, encoding))
        near = (at.line, start)
    return (found[0], found[1]) if found[0] <= found[1] else None


def _line_start(text: str, line: int, near: tuple[int, int]) -> int | None:
    """Where `line` starts, walked to from `near` (a line's number and start) when the text's lines all
    end with LF."""
    if "\r" in text:
        return line_start(text, line)
    known, at = near if abs(line - near[0]) <= line else (0, 0)  # (nearer the start: from there)
    while known < line:
        at = text.find("\n", at) + 1
        if not at:
            return None
        known += 1
    while known > line:
        at = text.rfind("\n", 0, at - 1) + 1
        known -= 1
    return at


def _applied(text: str, change: kinds.ContentChange, encoding: PositionEncoding) -> str | None:
    """`text` with the change applied; None when it has no place for it."""
    if change.range is None:
        return change.text
    where = _offsets(text, change, encoding)
    return None if where is None else text[:where[0]] + change.text + text[where[1]:]
