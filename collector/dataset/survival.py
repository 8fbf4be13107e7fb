"""Whether what a change inserted stayed: every inserted character traced through the build's one replay.

Each character of every file the episode knows carries the id of the change that inserted it (`Trace`):
an edit's change (one row of `edits`) or a write to disk outside the editor (a `file_change`), or 0 for
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

Per id: the characters it inserted (`inserted`, what is traced: after that narrowing), how many of them
are in the file's text now (`alive`: the buffer when the file is open, else the disk), the step after which
none was left (`gone_step`, cleared again if one comes back, as when a buffer closed unsaved falls back
to the disk), and how many were on disk at the next commit listing the file (`committed`; -1: none).

The ids are an `array` of 4-byte ints per layer and file (a layer with no id but 0 is None, whatever its
length: files the episode only read cost nothing); an edit is one slice assignment (memmove at C speed).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from collector.dataset.tables import LABELS
from collector.reconstruct.workspace import Workspace, step_paths
from collector.text.linediff import shared_prefix, shared_suffix
from schemas.steps import CloseStep, EditStep, FileChangeStep, GapStep, GitStep, OpenStep, SaveStep, Step

Ids = array | None  # type: ignore[type-arg]  # (array's parameter is its typecode, not a type)
_CODE = "i"


@dataclass(frozen=True)
class Labels:
    """Survival of a set of characters (an edit's change, an action's), as the tables' columns."""

    survived_to_end: float | None
    survived_to_commit: float | None
    reverted_at_step: int | None
    reverted_within_ms: int | None


NONE = Labels(None, None, None, None)


def _zeros(length: int) -> array:  # type: ignore[type-arg]
    return array(_CODE, bytes(4 * length))


def _ends(old: str, new: str) -> tuple[int, int]:
    """(prefix, suffix): the characters `old` and `new` share at their start and, after it, at their end."""
    prefix = shared_prefix(old, new)
    return prefix, min(shared_suffix(old, new), min(len(old), len(new)) - prefix)


def _rewrite(ids: Ids, old: str | None, new: str, made: int) -> Ids:
    """The ids of `new` written over `old` (whose ids are `ids`): the shared start and end keep theirs,
    the characters between are `made`'s."""
    if old is None:
        return None if not made or not new else array(_CODE, [made]) * len(new)
    if old == new:
        return ids
    prefix, suffix = _ends(old, new)
    middle = len(new) - prefix - suffix
    if ids is None and (not made or not middle):
        return None
    before = _zeros(len(old)) if ids is None else ids
    return before[:prefix] + array(_CODE, [made]) * middle + before[len(old) - suffix:]


class Trace:
    """The ids of one episode's files, kept step by step; per id what became of its characters."""

    def __init__(self) -> None:
        self.buffers: dict[str, Ids] = {}
        self.disk: dict[str, Ids] = {}
        self.inserted: list[int] = [0]  # by id (0: text the episode found, never counted)
        self.alive: list[int] = [0]
        self.t_ms: list[int] = [0]
        self.gone_step: list[int] = [-1]
        self.gone_ms: list[int] = [0]
        self.committed: list[int] = [-1]
        self.paths: list[str] = [""]
        self.pending: dict[str, list[int]] = {}  # path -> ids inserted since its last commit
        self.step_ids: list[int] = []  # the ids the step being applied made
        self._visible: dict[str, Ids] = {}  # a non-edit step's paths: their ids before it
        self._texts: dict[str, tuple[str | None, str | None]] = {}  # and (visible, disk) texts

    def _new(self, path: str, count: int, t_ms: int, *, shown: bool = True) -> int:
        """A new id, of `count` characters inserted into `path` (`shown`: into the text shown, a buffer;
        else on disk, counted once the step is applied if the disk is what is shown)."""
        made = len(self.inserted)
        self.inserted.append(count)
        self.alive.append(count if shown else 0)
        self.t_ms.append(t_ms)
        self.gone_step.append(-1)
        self.gone_ms.append(0)
        self.committed.append(-1)
        self.paths.append(path)
        self.pending.setdefault(path, []).append(made)
        self.step_ids.append(made)
        return made

    # -- edits: called before the replay applies each change, with its offsets (typed_rows.py) --

    def change(self, index: int, t_ms: int, path: str, size: int, start: int, end: int, deleted: str,
               text: str) -> int:
        """Trace one change of an edit into `path`'s buffer of `size` characters: (start, end) replaced
        by `text` (what it replaced: `deleted`). Returns the change's id."""
        prefix = suffix = 0
        if deleted and text:
            prefix, suffix = _ends(deleted, text)
        count = len(text) - prefix - suffix
        made = self._new(path, count, t_ms)
        ids = self.buffers.get(path)
        if ids is None:
            if not count:  # (characters the episode found, removed: nothing traced)
                return made
            ids = _zeros(size)
        elif ids is self.disk.get(path):  # shared with the disk since a save: copied on this write
            ids = array(_CODE, ids)
        self.buffers[path] = ids
        cut_start, cut_end = start + prefix, end - suffix
        if cut_end > cut_start:
            self._remove(ids[cut_start:cut_end], index, t_ms)
        ids[cut_start:cut_end] = array(_CODE, [made]) * count
        return made

    def _remove(self, ids: Iterable[int], index: int, t_ms: int) -> None:
        alive, gone_step, gone_ms = self.alive, self.gone_step, self.gone_ms
        for made, count in Counter(ids).items():
            if made:
                alive[made] -= count
                if not alive[made]:
                    gone_step[made], gone_ms[made] = index, t_ms

    def _restore(self, ids: Iterable[int]) -> None:
        for made, count in Counter(ids).items():
            if made:
                self.alive[made] += count
                self.gone_step[made] = -1

    # -- every other step: seen before the replay applies it and after --

    def before(self, step: Step, workspace: Workspace) -> None:
        """Note the ids and texts of the files `step` may change, as they are before it (an edit's
        changes are traced one by one: `change`)."""
        self.step_ids = []
        if type(step) is EditStep:
            return
        self._visible.clear()
        self._texts.clear()
        if not isinstance(step, (OpenStep, SaveStep, CloseStep, FileChangeStep,
                                                           GapStep)):
            return
        shown = type(step) is OpenStep or type(step) is GapStep or (type(step) is SaveStep and
                                                                    step.text is not None)
        for path in step_paths(step):  # (the text shown only where it is rewritten: read back whole)
            self._visible[path] = self._shown(path, workspace)
            self._texts[path] = (workspace.text(path) if shown else None, workspace.disk.get(path))

    def _shown(self, path: str, workspace: Workspace) -> Ids:
        return self.buffers.get(path) if path in workspace.buffers else self.disk.get(path)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        """Move the ids as the replay moved the texts (`workspace` is after `step`)."""
        match step:
            case GitStep(op="commit"):
                self._commit(step)
                return
            case OpenStep():
                shown, _disk = self._texts[step.path]
                self.buffers[step.path] = _rewrite(self._visible[step.path], shown, step.text, 0)
                if _disk is None:
                    self.disk[step.path] = None
            case SaveStep():
                shown, _disk = self._texts[step.path]
                if step.text is not None:
                    self.buffers[step.path] = _rewrite(self._visible[step.path], shown, step.text, 0)
                if step.path in workspace.buffers:
                    self.disk[step.path] = self.buffers.get(step.path)  # (shared until the next edit)
            case CloseStep():
                self.buffers.pop(step.path, None)
            case FileChangeStep():
                self._file_change(step)
            case GapStep(state=list() as state):
                for file in state:
                    shown, disk = self._texts[file.path]
                    if file.text is None:
                        if not step.on_disk_only:
                            self.buffers.pop(file.path, None)
                        self.disk.pop(file.path, None)
                    elif step.on_disk_only:
                        self.disk[file.path] = _rewrite(self.disk.get(file.path), disk, file.text, 0)
                    else:
                        self.buffers[file.path] = self.disk[file.path] = _rewrite(self._visible[file.path],
                                                                                  shown, file.text, 0)
            case _:
                return
        self._count(index, step.t_ms, workspace)

    def _file_change(self, step: FileChangeStep) -> None:
        path = step.path
        if step.change == "deleted":
            self.disk.pop(path, None)
            return
        _shown, disk = self._texts[path]  # (a rename's text moves with it: the old path's is the new's)
        if step.change == "renamed" and step.new_path is not None:
            ids = self.disk.pop(path, None)
            path = step.new_path
            self.disk[path] = None if ids is None else array(_CODE, ids)  # (never shared across paths)
            self.pending.setdefault(path, []).extend(self.pending.pop(step.path, []))
        if step.link is not None or step.omitted is not None:  # no text, no ids
            self.disk.pop(path, None)
            return
        if step.text is None:
            return
        if disk == step.text:
            return
        count = len(step.text) if disk is None else len(step.text) - sum(_ends(disk, step.text))
        made = self._new(path, count, step.t_ms, shown=False) if count else 0
        self.disk[path] = _rewrite(self.disk.get(path), disk, step.text, made)

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

    def _commit(self, step: GitStep) -> None:
        for file in step.files:
            pending = self.pending.pop(file.path, None)
            if not pending:
                continue
            on_disk = Counter(self.disk.get(file.path) or ())
            for made in pending:
                self.committed[made] = on_disk.get(made, 0)

    # -- the labels, once the last step is applied --

    def labels(self, ids: Iterable[int], counts: Iterable[int] | None = None) -> Labels:
        """The labels of the characters of `ids` (`counts`: how many of each are counted, by default all
        they inserted); none when they count no character."""
        ids = list(ids)
        base = [self.inserted[made] for made in ids] if counts is None else list(counts)
        total = sum(base)
        if not total:
            return NONE
        counted = [(made, count) for made, count in zip(ids, base, strict=True) if count]
        end = sum(min(self.alive[made], count) for made, count in counted)
        committed = [self.committed[made] for made, _count in counted]
        to_commit = None if min(committed) < 0 else sum(min(kept, count) for kept, (_made, count)
                                                       in zip(committed, counted, strict=True)) / total
        gone = [self.gone_step[made] for made, _count in counted]
        if end or min(gone) < 0:
            return Labels(end / total, to_commit, None, None)
        last = max(range(len(counted)), key=lambda at: gone[at])
        made = counted[last][0]
        first = min(self.t_ms[made] for made, _count in counted)
        return Labels(0.0, to_commit, gone[last], self.gone_ms[made] - first)


def gathered(schema: pa.Schema) -> pa.Schema:
    """`schema` without the label columns: what is gathered row by row, before the labels are known."""
    return pa.schema([field for field in schema if field.name not in LABELS])


def labelled(table: pa.Table, labels: list[Labels], schema: pa.Schema) -> pa.Table:
    """`table` (of `gathered(schema)`) with the label columns, one Labels a row, in `schema`'s order."""
    values = {name: [getattr(label, name) for label in labels] for name in LABELS}
    return pa.Table.from_arrays([pa.array(values[field.name], field.type) if field.name in values else
                                 table.column(field.name) for field in schema], schema=schema)
