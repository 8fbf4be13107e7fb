"""A late bridge's save (collector/seal/late_open.py): the watcher's change an `open` explains is folded
away, within its bounds only."""

from __future__ import annotations

import hashlib
from typing import Any

from collector.seal.late_open import LATE_MS, fold_late_opens
from schemas import Step, step_from_dict


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "files", **fields})


def written(t_ms: int, text: str, path: str = "app.py") -> Step:
    return step("file_change", t_ms, path=path, change="modified", text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest())


def opened(t_ms: int, text: str, path: str = "app.py") -> Step:
    return step("open", t_ms, path=path, text=text, source="bridge")


def kinds(steps: list[Step]) -> list[str]:
    return [s.kind for s in fold_late_opens(iter(steps))]


def test_the_open_that_says_the_written_text_folds_the_change_away() -> None:
    other = written(20, "notes\n", path="notes.md")
    assert kinds([written(0, "x\n"), other, opened(1_500, "x\n")]) == ["file_change", "open"]
    assert kinds([written(0, "x\n"), opened(1_500, "y\n")]) == ["file_change", "open"]  # another text


def test_a_step_that_may_have_seen_the_disk_or_the_bound_keeps_the_change() -> None:
    commit = step("git", 100, op="commit", message="m\n", source="git")
    assert kinds([written(0, "x\n"), commit, opened(1_500, "x\n")]) == ["file_change", "git", "open"]
    assert kinds([written(0, "x\n"), opened(LATE_MS + 1, "x\n")]) == ["file_change", "open"]
    # a file a document of the episode had open: its editor's saves are not late
    again = [opened(0, "a\n"), written(10, "x\n"), opened(500, "x\n")]
    assert kinds(again) == ["open", "file_change", "open"]
