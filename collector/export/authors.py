"""Who wrote each line of each file, as an episode replays: the Agent Trace contributor of every line.

Each line carries a contributor, or None for a line this episode's editor did not write (it was there
when the file was first seen, or a program outside the editor wrote it):

- an edit makes the lines it inserts its origin's contributor (`CONTRIBUTOR`: its origin's class, undo and
  redo `human`); a line it only adds to (typing on a line already there) merges the two: `human` and `ai`
  make `mixed`, and `unknown` with either stays `unknown` (what the rest of the line is cannot be told);
- an agent's write whose tool reported what it changed (`changed_lines`: Claude Code's structuredPatch,
  Codex's apply_patch) gives exactly the lines of those runs to `ai`; the other lines keep theirs, or
  none when the episode did not know the file before (they were there before the write); a formatter's
  write on save (`origin` `format`) gives the lines it changed to `human`, as a format's edit does;
- any other change of a whole file (an agent's write seen on disk, a resync, a checkout, a buffer
  reopened with other text) gives the lines between what the old and the new text share at their start
  and end (collector/text/linediff.py `between`, bounded) to `ai` when an agent claimed the write, else
  takes their contributor away (None); an agent's write over a file the episode did not know before
  (no snapshot, never seen) that its tool said nothing of makes every line `unknown`, unless the watcher
  saw the file created;
- deleted lines take theirs with them;
- an undo or redo that brings back exactly the text before or after edits of this replay brings back their
  lines' contributors (collector/export/preferences/undo_labels.py): `x` then `u` leaves the agent's line the
  agent's;
- a write to disk over a buffer with nothing unsaved is shown from then on (collector/reconstruct/
  reloads.py): its lines are labelled at the write, and the editor's reading it in changes none.

Lines are the replay's (LSP's: a CR alone ends one too), the last one without a line break included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

import msgspec

from collector.export.preferences.undo_labels import Change, UndoLabels
from collector.reconstruct.reloads import Reloads
from collector.reconstruct.workspace import Workspace, step_paths
from collector.text.linediff import between
from collector.text.positions import split_lines
from schemas.steps import EditStep, FileChangeStep, SaveStep, Step
from schemas.steps.edit import ORIGIN_CLASS

Contributor = Literal["human", "ai", "mixed", "unknown"]
Label = Contributor | None

# each origin's class (schemas/steps/edit.py): undo and redo are the developer's, as `--origin human` counts
CONTRIBUTOR: dict[str, Contributor] = {origin: whose for origin, whose in ORIGIN_CLASS.items()}
_FAR = 1 << 62  # a column past any line's end: Document.position clamps it to the end


def merge(*labels: Label) -> Label:
    """One line's contributor when several wrote on it."""
    found = {label for label in labels if label is not None}
    if len(found) <= 1:
        return next(iter(found), None)
    return "mixed" if found <= {"human", "ai", "mixed"} else "unknown"


class Authors:
    """Replays an episode's steps (`apply`, in place of Workspace.apply) keeping every line's contributor."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.lines: dict[str, list[Label]] = {}
        self.reloads = Reloads()
        self.undo = UndoLabels[Label]()

    def text(self, path: str) -> str | None:
        """The text of `path` the developer sees (a buffer written over on disk: the disk's)."""
        return self.reloads.text(path, self.workspace)

    def apply(self, step: Step) -> None:
        self.reloads.before(step, self.workspace)
        if type(step) is EditStep:
            kept = list(self.lines.get(step.path) or ()) if self.reloads.stale(step.path) else None
            self._edit(step)
            if self.reloads.after(step, self.workspace) and kept is not None:  # the editor reading a
                self.lines[step.path] = kept  # write in: as labelled at the write
                self.undo.forget(step.path)
            return
        paths = step_paths(step)
        if type(step) is not SaveStep:
            for path in paths:
                self.undo.forget(path)
        before = {path: self.text(path) for path in paths}
        self.workspace.apply(step)
        if self.reloads.after(step, self.workspace):
            return  # (it read in the text already shown)
        agent = isinstance(step, FileChangeStep) and step.origin == "agent"
        if isinstance(step, FileChangeStep) and step.origin == "format" and step.changed_lines is not None \
                and self._reported(step, step.path, before[step.path]):
            return
        if type(step) is FileChangeStep and step.new_path is not None:
            moved = self.lines.pop(step.path, None)
            # an agent's write saved through a temporary file renamed over its file (the watcher saw the
            # temporary file first): its lines are the file's, whose text before is what was there
            if agent and step.changed_lines is not None and \
                    self._reported(step, step.new_path, before.get(step.new_path)):
                return
            if moved is not None:
                self.lines[step.new_path] = moved
            return
        if isinstance(step, FileChangeStep) and agent and step.changed_lines is not None and \
                self._reported(step, step.path, before[step.path]):
            return
        created = isinstance(step, FileChangeStep) and step.change == "created"
        for path in paths:
            # an agent's write over a file never seen: which of its lines the agent wrote, nothing tells
            written: Label = ("ai" if before[path] is not None or created else "unknown") if agent else None
            self._rewritten(path, before[path], self.text(path), written)

    def ranges(self, path: str) -> Iterator[tuple[Contributor, int, int]]:
        """(contributor, first line, last line), 1-based, of each run of lines one contributor wrote."""
        labels = self.lines.get(path, [])
        text = self.text(path)
        count = len(labels) - (1 if text is not None and labels and split_lines(text)[-1] == "" else 0)
        start = 0
        for index in range(1, count + 1):
            if index == count or labels[index] != labels[start]:
                label = labels[start]
                if label is not None:
                    yield label, start + 1, index
                start = index

    def _edit(self, step: EditStep) -> None:
        label: Label = CONTRIBUTOR.get(step.origin or "unknown", "unknown")
        doc = self.workspace.buffers.get(step.path)
        if doc is not None and len(step.changes) > 1:  # each change against the text the one before left
            for change in step.changes:
                self._edit(msgspec.structs.replace(step, changes=[change]))
            return
        change = step.changes[0]
        if doc is None or change.range is None:  # (a closed file's edit: the workspace refuses it)
            self.undo.forget(step.path)
            before = None if doc is None else self.workspace.read(doc)
            self.workspace.apply(step)
            self._rewritten(step.path, before, self.workspace.text(step.path), label)
            return
        labels = self._labels(step.path, doc.line_count)
        first, first_col = doc.position(change.range.start.line, change.range.start.character)
        last, last_col = doc.position(change.range.end.line, change.range.end.character)
        ends = last_col >= doc.position(last, _FAR)[1]  # nothing of the last line is left after the range
        prefix = labels[first] if first_col > 0 else None
        suffix = None if ends else labels[last]
        new = split_lines(change.text)
        if len(new) == 1:
            made = [merge(prefix, label if change.text else None, suffix)]
        else:
            made = [merge(prefix, label) if new[0].rstrip("\r\n") or first_col == 0 else prefix]
            made += [label] * (len(new) - 2)
            made.append(merge(suffix, label if new[-1] or ends else None))
        undoing = step.origin if step.origin in ("undo", "redo") else None
        if undoing is not None:
            self.undo.starting(step.path, undoing, doc.lines, labels)
        old, old_labels = list(doc.lines[first:last + 1]), labels[first:last + 1]
        self.workspace.apply(step)
        labels[first:last + 1] = made
        if len(labels) != doc.line_count:  # (what it cannot follow, e.g. a clamp it did not foresee)
            self.lines[step.path] = [None] * doc.line_count
            self.undo.forget(step.path)
        elif undoing is not None:
            restored = self.undo.restored(step.path, doc.lines)
            if restored is not None:
                self.lines[step.path] = restored
        else:
            now = list(doc.lines[first:first + len(made)])
            self.undo.changed(step.path, Change(first, old, old_labels, now, made))

    def _labels(self, path: str, count: int) -> list[Label]:
        labels = self.lines.get(path)
        if labels is None or len(labels) != count:
            labels = self.lines[path] = [None] * count
            self.undo.forget(path)
        return labels

    def _reported(self, step: FileChangeStep, path: str, before: str | None) -> bool:
        """Label an agent's write of `path` by the runs its tool reported (`changed_lines`: `ai`), or a
        formatter's by the lines it changed (`human`, as a format's edit); False (nothing done) when they do
        not fit the texts before and after (then the write is labelled as any other)."""
        written: Label = CONTRIBUTOR["format"] if step.origin == "format" else "ai"
        after = self.text(path)
        if after is None or step.changed_lines is None:
            return False
        count = len(split_lines(after))
        if before is None:
            old: list[Label] = [None] * (count - sum(n - o for _, o, _, n in step.changed_lines))
        else:
            old = self.lines.get(path) or []
            if len(old) != len(split_lines(before)):
                old = [None] * len(split_lines(before))
        made: list[Label] = []
        at = 0  # the next old line not yet carried over
        for old_first, old_count, new_first, new_count in step.changed_lines:
            if old_first - 1 < at or old_first - 1 + old_count > len(old) or \
                    len(made) + old_first - 1 - at != new_first - 1:
                return False
            made += old[at:old_first - 1]
            made += [written] * new_count
            at = old_first - 1 + old_count
        made += old[at:]
        if len(made) != count:
            return False
        self.lines[path] = made
        return True

    def _rewritten(self, path: str, before: str | None, after: str | None, written: Label) -> None:
        if after is None:
            self.lines.pop(path, None)
            return
        if before is None:
            self.lines[path] = [written] * len(split_lines(after))
            return
        labels = self.lines.get(path)
        if labels is None or len(labels) != len(split_lines(before)):
            labels = self.lines[path] = [None] * len(split_lines(before))
        if before == after:
            return
        start, old_end, new_end = between(before, after)
        first = len(split_lines(before[:start])) - 1
        labels[first:first + _count(before[start:old_end], old_end == len(before))] = \
            [written] * _count(after[start:new_end], new_end == len(after))
        if len(labels) != len(split_lines(after)):
            self.lines[path] = [None] * len(split_lines(after))


def _count(region: str, at_end: bool) -> int:
    """The lines a region of whole lines holds (at the text's end, its last may have no line break)."""
    return len(split_lines(region)) - 1 + (1 if at_end and region and region[-1] not in "\r\n" else 0)


def replayed(workspace: Workspace, steps: Iterable[Step]) -> Iterator[tuple[int, Step, Authors]]:
    """(index, step, the lines' contributors after it) for every step."""
    authors = Authors(workspace)
    for index, step in enumerate(steps):
        authors.apply(step)
        yield index, step, authors
