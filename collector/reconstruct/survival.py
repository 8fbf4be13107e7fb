"""Whether what a change inserted stayed: every inserted character traced through a replay (the dataset's
build's, collector/dataset/rows/survival.py, whose labels on `edits` and `transitions` it gives; stepwise's,
collector/export/preferences/stepwise.py, whose burst labels it gives).

Each character of every file the episode knows carries the id of the change that inserted it (`Trace`):
an edit's change (one row of `edits`) or a write to disk outside the editor (a `file_change`; a formatter's
on save: one per place it changed, each a row of `edits` too), or 0 for
text the episode found (opened, read from disk, a gap's state). The ids sit beside the text, layer by
layer as collector/reconstruct/workspace.py keeps it: an editor's buffer over what is on disk. A save
copies the buffer's ids to disk, a close falls back to the disk's, a commit reads the disk's. Nothing is
matched by its text: a character typed, deleted and typed again is two characters, the first removed by
the deletion (an undo or not: the step that removed it is its reverting step), the second inserted by the
retyping (or the redo).

Where a change replaces text with text that starts or ends the same (a whole-text change as an editor's
reload from disk sends it, a write to disk over the file's text), the characters the two share at their
start and end keep their ids, the rest is removed and inserted: as `--origin` counts the characters a write
inserted (linediff.inserted_chars), so a reload that changed one line does not count the file as retyped.

Of a change that inserted characters that are not whitespace, only those are traced (its BLANKS carry the
id 0, as text the episode found): what survives is code, not the indentation or line breaks a rewrite
leaves standing (a turn reverted but for its line's indentation left none of it). A change that inserted
whitespace alone (a line break typed) is traced by it: nothing else says what became of it.

Per id: the characters it inserted (`inserted`, what is traced: after that narrowing), how many of them
are in the file's text now (`alive`: the buffer when the file is open, else the disk), the step after which
none was left (`gone`, cleared again if one comes back, as when a buffer closed unsaved falls back
to the disk), when any of them was first removed (`first_cut`, for the ids a reader `watched`: an agent's
writes, collector/reconstruct/turns.py), and how many were on disk at the next commit listing the file
(`committed`).

The ids are an `array` of 4-byte ints per layer and file (a layer with no id but 0 is None, whatever its
length: files the episode only read cost nothing; a buffer and the disk share one array from a save to the
next edit), so they take at most 8 bytes per character of the files the replay holds, within its memory
cap; a key typed is one array insert, an edit one slice assignment (memmove at C speed).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from collector.reconstruct.ids import BLANKS, CODE, Ids, ends, marks, rewrite, solid_in, traced, zeros
from collector.reconstruct.workspace import Workspace, step_paths
from collector.text.linediff import Replacement, replacements
from schemas import steps as kinds

TRACED = frozenset({kinds.OpenStep, kinds.SaveStep, kinds.CloseStep, kinds.FileChangeStep, kinds.GapStep,
                    kinds.GitStep})  # what moves ids


@dataclass(frozen=True)
class Labels:
    """Survival of a set of characters (an edit's change, an action's), as the tables' columns."""

    survived_to_end: float | None
    survived_to_commit: float | None
    reverted_at_step: int | None
    reverted_within_ms: int | None


NONE = Labels(None, None, None, None)
LABELS = tuple(field.name for field in fields(Labels))  # the columns they are, in order


class Trace:
    """The ids of one episode's files, kept step by step; per id what became of its characters."""

    def __init__(self) -> None:
        self.buffers: dict[str, Ids] = {}
        self.disk: dict[str, Ids] = {}
        self.inserted: list[int] = [0]  # by id (0: text the episode found, never counted)
        self.solid: list[int] = [0]  # by id: how many of its characters are not whitespace
        self.alive: list[int] = [0]
        self.t_ms: list[int] = [0]
        self.paths: list[str] = [""]
        self.gone: dict[int, tuple[int, int]] = {}  # id -> (step, t_ms) after which none was left
        self.first_cut: dict[int, int] = {}  # a `watched` id -> t_ms of the first step that removed any of it
        self.watched: set[int] = set()  # the ids whose first removal is asked for (an agent's writes)
        self.committed: dict[int, int] = {}  # id -> its characters on disk at the next commit of its file
        self.pending: dict[str, list[int]] = {}  # path -> ids inserted since its last commit
        self.step_ids: list[int] = []  # the ids the step other than an edit being applied made
        self.step_places: list[Replacement] = []  # a formatter's write: where, per step_ids id (`_formatted`)
        self._visible: dict[str, Ids] = {}  # a non-edit step's paths: their ids before it
        self._texts: dict[str, tuple[str | None, str | None]] = {}  # and (visible, disk) texts

    def _new(self, path: str, count: int, t_ms: int, solid: int) -> int:
        """A new id, of `count` characters a write inserted on disk at `path` (none counted as shown yet:
        `_count` counts them once the step is applied, if the disk is what is shown). An edit's id is made
        inline (`change`)."""
        made = len(self.inserted)
        self.inserted.append(count)
        self.solid.append(solid)
        self.alive.append(0)
        self.t_ms.append(t_ms)
        self.paths.append(path)
        pending = self.pending.get(path)
        if pending is None:
            self.pending[path] = [made]
        else:
            pending.append(made)
        self.step_ids.append(made)
        return made

    # -- edits: called before the replay applies each change, with its offsets (typed_rows.py) --

    def change(self, index: int, t_ms: int, path: str, size: int, start: int, end: int, deleted: str,
               text: str) -> int:
        """Trace one change of an edit into `path`'s buffer of `size` characters: (start, end) replaced
        by `text` (what it replaced: `deleted`). Returns the change's id."""
        prefix = suffix = 0
        if deleted and text:
            prefix, suffix = ends(deleted, text)
        count = len(text) - prefix - suffix
        solid = solid_in(text, prefix, len(text) - suffix) if count else 0
        made = len(self.inserted)  # (a new id, as `_new` makes it: inline, most steps are edits)
        counted = traced(solid, count)
        self.inserted.append(counted)
        self.solid.append(solid)
        self.alive.append(counted)
        self.t_ms.append(t_ms)
        self.paths.append(path)
        pending = self.pending.get(path)
        if pending is None:
            self.pending[path] = [made]
        else:
            pending.append(made)
        ids = self.buffers.get(path)
        if ids is None:
            if not count:  # (characters the episode found, removed: nothing traced)
                return made
            ids = self.buffers[path] = zeros(size)
        elif ids is self.disk.get(path):  # shared with the disk since a save: copied on this write
            ids = self.buffers[path] = array(CODE, ids)
        cut_start, cut_end = start + prefix, end - suffix
        if cut_end > cut_start:
            self._remove(ids[cut_start:cut_end], index, t_ms)
        if count == 1 and cut_end == cut_start:  # a key typed
            ids.insert(cut_start, made)
        else:
            ids[cut_start:cut_end] = marks(text[prefix:len(text) - suffix], made)
        return made

    def _remove(self, ids: Iterable[int], index: int, t_ms: int) -> None:
        alive, gone, cut, watched = self.alive, self.gone, self.first_cut, self.watched
        for made, count in Counter(ids).items():
            if made:
                if made in watched and made not in cut:
                    cut[made] = t_ms
                alive[made] -= count
                if not alive[made]:
                    gone[made] = (index, t_ms)

    def _restore(self, ids: Iterable[int]) -> None:
        for made, count in Counter(ids).items():
            if made:
                self.alive[made] += count
                self.gone.pop(made, None)

    def reread(self, index: int, t_ms: int, path: str) -> None:
        """The edit just traced was the editor reading the file again (collector/reconstruct/reloads.py):
        the buffer's ids are the disk's, as after an open of the same text."""
        before = self.buffers.get(path)
        after = self.buffers[path] = self.disk.get(path)
        old, new = Counter(before or ()), Counter(after or ())
        self._remove((old - new).elements(), index, t_ms)
        self._restore((new - old).elements())

    # -- every other step: seen before the replay applies it and after --

    def before(self, step: kinds.Step, workspace: Workspace) -> None:
        """Note the ids and texts of the files `step` (one of TRACED) may change, as they are before it
        (an edit's changes are traced one by one: `change`)."""
        self.step_ids, self.step_places = [], []
        self._visible.clear()
        self._texts.clear()
        shown = type(step) is kinds.OpenStep or type(step) is kinds.GapStep or (
            type(step) is kinds.SaveStep and step.text is not None)
        for path in step_paths(step):  # (the text shown only where it is rewritten: read back whole)
            self._visible[path] = self._shown(path, workspace)
            self._texts[path] = (workspace.text(path) if shown else None, workspace.disk.get(path))

    def _shown(self, path: str, workspace: Workspace) -> Ids:
        return self.buffers.get(path) if path in workspace.buffers else self.disk.get(path)

    def after(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        """Move the ids as the replay moved the texts (`workspace` is after `step`)."""
        match step:
            case kinds.GitStep(op="commit"):
                self._commit(step, workspace)
                return
            case kinds.OpenStep():
                shown, _disk = self._texts[step.path]
                self.buffers[step.path] = rewrite(self._visible[step.path], shown, step.text, 0)
                if _disk is None:
                    self.disk[step.path] = None
            case kinds.SaveStep():
                shown, _disk = self._texts[step.path]
                if step.text is not None:
                    self.buffers[step.path] = rewrite(self._visible[step.path], shown, step.text, 0)
                if step.path in workspace.buffers:
                    self.disk[step.path] = self.buffers.get(step.path)  # (shared until the next edit)
            case kinds.CloseStep():
                self.buffers.pop(step.path, None)
            case kinds.FileChangeStep():
                self._file_change(step)
            case kinds.GapStep(state=list() as state):
                for file in state:
                    shown, disk = self._texts[file.path]
                    if file.text is None:
                        if not step.on_disk_only:
                            self.buffers.pop(file.path, None)
                        self.disk.pop(file.path, None)
                    elif step.on_disk_only:
                        self.disk[file.path] = rewrite(self.disk.get(file.path), disk, file.text, 0)
                    else:
                        self.buffers[file.path] = self.disk[file.path] = rewrite(self._visible[file.path],
                                                                                  shown, file.text, 0)
            # on purpose: the other kinds move no text (workspace.py's exhaustive ladders say which do)
            case _:
                return
        self._count(index, step.t_ms, workspace)

    def _file_change(self, step: kinds.FileChangeStep) -> None:
        path = step.path
        if step.change == "deleted":
            self.disk.pop(path, None)
            return
        _shown, disk = self._texts[path]  # (a rename's text moves with it: the old path's is the new's)
        if step.change == "renamed" and step.new_path is not None:
            ids = self.disk.pop(path, None)
            path = step.new_path
            self.disk[path] = None if ids is None else array(CODE, ids)  # (never shared across paths)
            self.pending.setdefault(path, []).extend(self.pending.pop(step.path, []))
        if step.link is not None or step.omitted is not None:  # no text, no ids
            self.disk.pop(path, None)
            return
        if step.text is None:
            return
        if disk == step.text:
            return
        if step.origin == "format" and disk is not None:
            self.disk[path] = self._formatted(path, step.t_ms, disk, step.text)
            return
        prefix, suffix = (0, 0) if disk is None else ends(disk, step.text)
        count = len(step.text) - prefix - suffix
        solid = solid_in(step.text, prefix, len(step.text) - suffix)
        made = self._new(path, traced(solid, count), step.t_ms, solid) if count else 0
        self.disk[path] = rewrite(self.disk.get(path), disk, step.text, made)

    def _formatted(self, path: str, t_ms: int, old: str, new: str) -> Ids:
        """The ids of a formatter's write of `new` over `old`: one per place it changed, as the bridge
        narrows an LSP format (linediff.replacements; lsp_bridge/capture/sync.py `formatted`), each a row
        of `edits` (typed_rows.py); the lines it wrote again unchanged keep theirs."""
        self.step_places = places = replacements(old, new)
        ids = self.disk.get(path)
        ids = zeros(len(old)) if ids is None else array(CODE, ids)  # (never the buffer's, shared)
        made = []
        for place in places:
            solid = solid_in(new, place.after_start, place.after_end)
            made.append(self._new(path, traced(solid, place.after_end - place.after_start), t_ms, solid))
        for place, each in zip(reversed(places), reversed(made), strict=True):  # (last first: offsets hold)
            ids[place.before_start:place.before_end] = marks(new[place.after_start:place.after_end], each)
        return ids

    def _count(self, index: int, t_ms: int, workspace: Workspace) -> None:
        """What a step other than an edit removed from, or brought back to, the texts shown."""
        for path, before in self._visible.items():
            after = self._shown(path, workspace)
            if after is before:
                continue
            old = Counter(before or ())
            new = Counter(after or ())
            self._remove((old - new).elements(), index, t_ms)
            self._restore((new - old).elements())
        self._visible.clear()
        self._texts.clear()

    def _commit(self, step: kinds.GitStep, workspace: Workspace) -> None:
        for file in step.files:
            path = file.path
            pending = self.pending.pop(path, None)
            if not pending:
                continue
            on_disk = self.disk.get(path)
            if on_disk is None:
                counted = dict.fromkeys(pending, 0)
            elif on_disk is self._shown(path, workspace):  # (a path's ids are in its layers alone: what
                counted = {made: self.alive[made] for made in pending}  # is shown is counted already)
            else:  # unsaved edits in the editor: the disk's ids counted
                counted = Counter(on_disk)
            for made in pending:
                self.committed[made] = counted.get(made, 0)

    def solid_left(self, ids: Iterable[int], workspace: Workspace) -> tuple[int, int]:
        """(left, inserted): how many of the characters `ids` inserted that are not whitespace are in the
        files' texts shown now, and how many they inserted: a change whose text a write replaced but for
        the line breaks both had leaves none (stepwise.py). Reads every file the trace holds ids of."""
        wanted = set(ids)
        left = 0
        for path, shown in [*self.buffers.items(), *((path, ids_) for path, ids_ in self.disk.items()
                                                      if path not in workspace.buffers)]:
            if shown is None or not wanted.intersection(shown):
                continue
            text = workspace.text(path) if path in workspace.buffers else workspace.disk.get(path)
            if text is None or len(text) != len(shown):
                continue
            left += sum(1 for made, char in zip(shown, text, strict=True)
                        if made in wanted and char not in BLANKS)
        return left, sum(self.solid[made] for made in wanted)

    # -- the labels, once the last step is applied --

    def settle(self) -> None:
        """Let the files' ids go once the last step is applied: the labels need only the counts per id,
        and the rows of an episode outlive its replay (up to 4 bytes a character of every edited file)."""
        self.buffers.clear()
        self.disk.clear()
        self._visible.clear()

    def labels(self, ids: list[int], counts: list[int]) -> Labels:
        """The labels of `counts[i]` characters of each of `ids` (a transition's: what it still held when
        it ended); none when they count no character."""
        alive, committed = self.alive, self.committed
        total = end = kept = 0
        known = True  # every id's file had a commit after it
        for made, count in zip(ids, counts, strict=True):
            total += count
            left = alive[made]
            end += left if left < count else count
            if known:
                on_disk = committed.get(made)
                if on_disk is None:
                    known = False
                else:
                    kept += on_disk if on_disk < count else count
        if not total:
            return NONE
        to_commit = kept / total if known else None
        if end:
            return Labels(end / total, to_commit, None, None)
        gone = self.gone
        went = [gone[made] for made, count in zip(ids, counts, strict=True) if count and made in gone]
        if not went:  # (a write to disk never shown: a buffer was saved over it before the editor read it in)
            return Labels(0.0, to_commit, None, None)
        step, t_ms = max(went)
        first = min(self.t_ms[made] for made, count in zip(ids, counts, strict=True) if count)
        return Labels(0.0, to_commit, step, t_ms - first)

    def each(self, ids: list[int]) -> dict[str, list[Any]]:
        """The label columns of the rows of `ids`, one id a row (the edits': all it inserted counted)."""
        inserted, alive, t_ms = self.inserted, self.alive, self.t_ms
        gone, committed = self.gone, self.committed
        rows: list[tuple[float | None, float | None, int | None, int | None]] = []
        for made in ids:
            count = inserted[made]
            if not count:
                rows.append((None, None, None, None))
                continue
            left, on_disk = alive[made], committed.get(made)
            to_commit = None if on_disk is None else min(on_disk, count) / count
            if left:
                rows.append((min(left, count) / count, to_commit, None, None))
            elif made in gone:
                went, when = gone[made]
                rows.append((0.0, to_commit, went, when - t_ms[made]))
            else:  # (a write to disk never shown, as `labels` says: a formatter's, a buffer saved over it)
                rows.append((0.0, to_commit, None, None))
        return {name: list(values) for name, values in zip(LABELS, zip(*rows, strict=True) if rows else
                                                           ((),) * len(LABELS), strict=True)}
