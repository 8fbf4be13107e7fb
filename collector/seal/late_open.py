"""The late bridge's save: a watcher's `file_change` that the editor's own `open` of the file explains.

An editor whose bridge connects after it saved (a language server slow to start: more than HOLD_MS after
the file watcher saw the save, collector/daemon/held_changes.py) has its save recorded by the watcher as a
`file_change` of nobody's, and then its `open` of the file with the text the save wrote. The journal
keeps both, as they came; the seal folds the change away: a created or modified `file_change` without an
origin, of a file no document of the episode had open, whose content is exactly the text of the next
step about that file, an `open`, LATE_MS later at most, is left out, and the `open` says the text.

Only while nothing between them could have seen the disk: a step of any kind but those an editor sends
about its documents (`open`, `edit`, `save`, `close`, `cursor`, `diagnostics`, `offer`) or another file's
change writes the change (and what came after it) as it was, so a commit, a command, a test run or an
agent's hook never meets a text the episode has not written yet. Memory is bounded: the steps waiting
behind a change are at most MAX_WAITING, and a change waits LATE_MS of the episode's time at most.
"""

from __future__ import annotations

from collections.abc import Iterator

from collector.text.digest import sha256_text
from schemas.steps import CloseStep, FileChangeStep, OpenStep, Step

LATE_MS = 10_000
MAX_WAITING = 1_000
_QUIET = ("open", "edit", "save", "close", "cursor", "diagnostics", "offer")  # see no disk


def fold_late_opens(steps: Iterator[Step]) -> Iterator[Step]:
    """`steps` without the watcher's changes that a later `open` explains (the module's docstring)."""
    opened: set[str] = set()  # the files a document of the episode had open: their saves are not late
    waiting: list[Step] = []  # from the oldest change that may be folded, in order
    candidates: dict[int, FileChangeStep] = {}  # id -> a change still foldable, among `waiting`
    for step in steps:
        path = getattr(step, "path", None)
        if waiting and (step.kind not in (*_QUIET, "file_change") or len(waiting) >= MAX_WAITING
                        or step.t_ms > waiting[0].t_ms + LATE_MS):
            yield from waiting  # something may have seen the disk, or the bound is reached
            waiting.clear()
            candidates.clear()
        if path is not None:
            for key, change in list(candidates.items()):
                if path in (change.path, change.new_path) or getattr(step, "new_path", None) == change.path:
                    del candidates[key]  # the next step about its file
                    if type(step) is OpenStep and step.text is not None \
                            and sha256_text(step.text) == change.sha256:
                        waiting = [kept for kept in waiting if kept is not change]  # the open explains it
        if type(step) is OpenStep:
            opened.add(step.path)
        elif type(step) is CloseStep:
            opened.discard(step.path)
        if _foldable(step, opened):
            assert type(step) is FileChangeStep
            candidates[id(step)] = step
            waiting.append(step)
        elif waiting:
            waiting.append(step)
        else:
            yield step
        while waiting and id(waiting[0]) not in candidates:  # nothing to decide before the next candidate
            yield waiting.pop(0)
    yield from waiting


def _foldable(step: Step, opened: set[str]) -> bool:
    return (type(step) is FileChangeStep and step.change in ("created", "modified") and step.origin is None
            and step.sha256 is not None and step.path not in opened)
