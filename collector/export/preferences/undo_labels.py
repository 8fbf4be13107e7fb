"""Who wrote each line again after an undo or redo: the contributors of the text it brings back.

An editor's undo (or redo) puts a buffer back exactly as it was before (after) one or more of its changes.
Counted as an edit like any other, it would make the lines it touches the developer's (`undo` and `redo`
are of the `human` class): `x` then `u` on the agent's `import re` would credit the line to the human.
`UndoLabels` keeps, per open file, the edits' changes an undo may take back (`Change`: the lines each
replaced and the lines it made, with their contributors, where it made them); the changes undone are
kept for a redo until the next change that is neither. After an undo's change, the replay's lines are
compared with the text before each kept change, the latest first, as if each were taken back in turn:
the first that is the buffer's text exactly gives its lines' contributors (those of every line then), and
the changes taken back wait for a redo, which is matched the same way forward. An undo that brings back a
text none of them had (one of a change this replay did not see, an undo tree's other branch) keeps what the
edit gave it. A change an undo sends in several parts is matched from the text before its first part.

Bounded: at most MAX_CHANGES changes per file, holding at most MAX_CHARS characters of lines between them
(the oldest are forgotten first; a change of a longer stretch of lines forgets them all), and matching an
undo costs a comparison of the file's lines per change taken back (list equality: mostly identity).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

MAX_CHANGES = 1_000  # changes kept per file
MAX_CHARS = 1 << 20  # characters of their lines kept per file

L = TypeVar("L")  # a line's contributor (authors.py's Label)


@dataclass(slots=True)
class Change(Generic[L]):
    """One change of a file's lines: from line `first` on, the lines `old` (contributors `old_labels`)
    became the lines `new` (`new_labels`)."""

    first: int
    old: list[str]
    old_labels: list[L]
    new: list[str]
    new_labels: list[L]
    chars: int = 0  # the characters of its lines (`UndoLabels.changed` counts them)


class UndoLabels(Generic[L]):
    """The changes of each file an undo or redo may take back or put back, and what an undo brought back."""

    def __init__(self) -> None:
        self._done: dict[str, deque[Change[L]]] = {}  # path -> changes an undo may take back, latest last
        self._chars: dict[str, int] = {}  # path -> characters its done changes hold
        self._undone: dict[str, list[Change[L]]] = {}  # path -> changes taken back, the next to redo last
        self._base: dict[str, tuple[str, list[str], list[L]]] = {}  # path -> (undo or redo, lines,
        # contributors) before the first part of an undo or redo not matched yet

    def forget(self, path: str) -> None:
        """Forget `path`'s changes (its buffer was read again, closed, or its lines relabelled otherwise)."""
        for kept in (self._done, self._chars, self._undone, self._base):
            kept.pop(path, None)

    def changed(self, path: str, change: Change[L]) -> None:
        """Keep an edit's change (not an undo's or redo's): what was undone can no longer be redone."""
        self._undone.pop(path, None)
        self._base.pop(path, None)
        change.chars = sum(map(len, change.old)) + sum(map(len, change.new))
        if change.chars > MAX_CHARS:
            self.forget(path)
            return
        self._keep(path, change)
        done, chars = self._done[path], self._chars[path]
        while len(done) > MAX_CHANGES or chars > MAX_CHARS:
            chars -= done.popleft().chars
        self._chars[path] = chars

    def starting(self, path: str, origin: Literal["undo", "redo"], lines: Sequence[str],
                 labels: list[L]) -> None:
        """Before an undo's or redo's change: the file's lines and contributors, if it starts a new one."""
        base = self._base.get(path)
        if base is None or base[0] != origin:
            self._base[path] = (origin, list(lines), list(labels))

    def restored(self, path: str, lines: Sequence[str]) -> list[L] | None:
        """After an undo's or redo's change: the contributors of `lines` (the file's now) when they are the
        text before (undo) or after (redo) kept changes, else None (the edit's own stand)."""
        base = self._base.get(path)
        if base is None:
            return None
        undo, virtual, labels = base[0] == "undo", list(base[1]), list(base[2])
        now = list(lines)
        source = self._done.get(path, deque()) if undo else self._undone.get(path, [])
        taken: list[Change[L]] = []
        for change in reversed(source):
            was, back, back_labels = (change.new, change.old, change.old_labels) if undo else \
                (change.old, change.new, change.new_labels)
            end = change.first + len(was)
            if virtual[change.first:end] != was:
                return None  # (the text is no longer what this change left: nothing further back fits)
            virtual[change.first:end] = back
            labels[change.first:end] = back_labels
            taken.append(change)
            if len(virtual) == len(now) and virtual == now:
                break
        else:
            return None
        del self._base[path]
        for change in taken:
            source.pop()
            if undo:
                self._chars[path] -= change.chars
                self._undone.setdefault(path, []).append(change)
            else:
                self._keep(path, change)
        return labels

    def _keep(self, path: str, change: Change[L]) -> None:
        self._done.setdefault(path, deque()).append(change)
        self._chars[path] = self._chars.get(path, 0) + change.chars
