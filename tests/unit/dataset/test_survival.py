"""Survival labels (collector/dataset/rows/survival.py) on hand-built step sequences, through the rows the
build gathers (rows.StepRows fed by the replay's Workspace as verify_replay feeds it): what each edit and each
transition inserted, traced character by character, never matched by text."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

from collector.dataset.rows.rows import StepRows
from collector.dataset.rows.survival import Trace
from collector.reconstruct.workspace import Workspace
from schemas import step_from_dict
from schemas.steps import Step
from tests.support.sessions import generate

LABELS = ("survived_to_end", "survived_to_commit", "reverted_at_step", "reverted_within_ms")


def _at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def edit(t_ms: int, start: int, end: int, text: str, *, path: str = "a.py", line: int = 0,
         origin: str = "typed") -> dict[str, Any]:
    """An edit of one change on `line`, characters start..end replaced by `text`."""
    return {"kind": "edit", "t_ms": t_ms, "source": "lsp", "path": path, "origin": origin,
            "changes": [{"range": {"start": _at(line, start), "end": _at(line, end)}, "text": text}]}


def opened(t_ms: int, text: str, path: str = "a.py") -> dict[str, Any]:
    return {"kind": "open", "t_ms": t_ms, "source": "lsp", "path": path, "text": text}


def saved(t_ms: int, path: str = "a.py") -> dict[str, Any]:
    return {"kind": "save", "t_ms": t_ms, "source": "lsp", "path": path}


def commit(t_ms: int, *paths: str) -> dict[str, Any]:
    return {"kind": "git", "t_ms": t_ms, "source": "git", "op": "commit", "sha": "c" * 40,
            "files": [{"path": path} for path in paths]}


def tables(steps: list[dict[str, Any]]) -> dict[str, pa.Table]:
    """The episode's tables, the steps replayed as the build replays them."""
    rows = StepRows("e", "k", "2026-01")
    workspace = Workspace("utf-16")
    for index, data in enumerate(steps):
        step: Step = step_from_dict(data)
        rows.before(index, step, workspace)
        workspace.apply(step)
        rows.observe(index, step, workspace)
    return rows.finish()


def labels(table: pa.Table, *columns: str) -> list[tuple[Any, ...]]:
    names = (*columns, *LABELS)
    return list(zip(*(table.column(name).to_pylist() for name in names), strict=True))


def test_a_line_typed_then_deleted_is_reverted_at_the_deleting_step_and_the_fix_survives() -> None:
    steps = [
        opened(0, "x = 1\n"),
        edit(100, 0, 0, "print(x)\n"),  # step 1: a debug line, pasted at the top
        edit(200, 4, 5, "2", line=1),  # step 2: the fix, x = 2
        saved(300),
        commit(400, "a.py"),  # step 4: both on disk
        edit(5000, 0, 0, "", line=0) | {"changes": [{"range": {"start": _at(0, 0), "end": _at(1, 0)},
                                                     "text": ""}]},  # step 5: the debug line deleted
        saved(5100),
    ]
    edits = labels(tables(steps)["edits"], "step", "inserted")
    assert edits == [
        (1, "print(x)\n", 0.0, 1.0, 5, 4900),
        (2, "2", 1.0, 1.0, None, None),
        (5, "", None, None, None, None),  # inserted nothing: no share to give
    ]


def test_deleting_part_keeps_the_rest_and_an_undo_is_a_reverting_step_like_any_other() -> None:
    steps = [
        opened(0, ""),
        edit(10, 0, 0, "abcd"),  # step 1
        edit(20, 1, 3, ""),  # step 2: deletes b and c
        edit(30, 0, 2, "", origin="undo"),  # step 3: an undo takes a and d: step 1 is reverted here
        edit(40, 0, 0, "abcd", origin="redo"),  # step 4: typed back: new characters, not step 1's
    ]
    edits = labels(tables(steps)["edits"], "step", "origin")
    assert edits == [
        (1, "typed", 0.0, None, 3, 20),
        (2, "typed", None, None, None, None),
        (3, "undo", None, None, None, None),
        (4, "redo", 1.0, None, None, None),
    ]


def test_survived_to_commit_reads_the_disk_at_the_next_commit_listing_the_file() -> None:
    steps = [
        opened(0, "", "a.py"),
        opened(1, "", "b.py"),
        edit(10, 0, 0, "keep"),  # step 2
        edit(20, 4, 4, "tmp"),  # step 3: saved, committed, then deleted
        saved(30),
        edit(40, 7, 7, "unsaved"),  # step 5: never on disk when the commit runs
        commit(50, "a.py"),
        edit(60, 0, 0, "b", path="b.py"),  # step 7: its file is in no commit
        edit(70, 4, 7, ""),  # step 8: removes tmp
        edit(80, 0, 0, "!"),  # step 9: after the commit, none later
        saved(90),
    ]
    edits = labels(tables(steps)["edits"], "step")
    assert edits == [
        (2, 1.0, 1.0, None, None),
        (3, 0.0, 1.0, 8, 50),
        (5, 1.0, 0.0, None, None),
        (7, 1.0, None, None, None),
        (8, None, None, None, None),
        (9, 1.0, None, None, None),
    ]


def test_a_replacement_keeps_what_it_rewrote_unchanged_and_a_closed_buffer_falls_back_to_the_disk() -> None:
    steps = [
        opened(0, "one\n"),
        edit(10, 3, 3, " two"),  # step 1: typed, saved
        saved(20),
        edit(30, 7, 7, " three"),  # step 3: typed, never saved: gone when the buffer closes
        {"kind": "edit", "t_ms": 40, "source": "lsp", "path": "a.py",  # step 4: a reload sends it all
         "changes": [{"text": "one two three four\n"}]},
        {"kind": "close", "t_ms": 50, "source": "lsp", "path": "a.py"},  # step 5
    ]
    edits = labels(tables(steps)["edits"], "step", "inserted")
    assert edits == [
        (1, " two", 1.0, None, None, None),  # on disk: back once the buffer closes
        (3, " three", 0.0, None, 5, 20),
        (4, "one two three four\n", 0.0, None, 5, 10),  # of its text, only " four" was new
    ]


def test_transitions_count_what_the_action_still_held_when_it_ended() -> None:
    steps = [
        opened(0, ""),
        edit(10, 0, 0, "a"),  # a burst: types abc, deletes c: holds ab when it ends
        edit(20, 1, 1, "b"),
        edit(30, 2, 2, "c"),
        edit(40, 2, 3, ""),
        edit(9000, 1, 2, ""),  # another burst: deletes b
        saved(9100),
        {"kind": "file_change", "t_ms": 9200, "source": "watcher", "path": "c.py", "change": "created",
         "text": "x = 1\n", "origin": "agent"},
        commit(9300, "c.py"),
    ]
    rows = labels(tables(steps)["transitions"], "kind", "path")
    assert rows == [
        ("open", "a.py", None, None, None, None),
        ("edit", "a.py", 0.5, None, None, None),
        ("edit", "a.py", None, None, None, None),
        ("file_change", "c.py", 1.0, 1.0, None, None),
        ("git", None, None, None, None, None),
    ]


def test_a_transition_whose_characters_all_went_says_when_the_last_one_did() -> None:
    steps = [
        opened(0, ""),
        edit(10, 0, 0, "ab"),
        edit(9000, 1, 2, ""),  # step 2: b goes
        edit(20000, 0, 1, ""),  # step 3: a goes
    ]
    rows = labels(tables(steps)["transitions"], "kind", "first_step")
    assert rows[1] == ("edit", 1, 0.0, None, 3, 19990)


def _trace(steps: list[dict[str, Any]]) -> Trace:
    rows = StepRows("e", "k", "2026-01")
    workspace = Workspace("utf-16")
    for index, data in enumerate(steps):
        step = step_from_dict(data)
        rows.before(index, step, workspace)
        workspace.apply(step)
        rows.observe(index, step, workspace)
    return rows.trace


def test_a_write_to_disk_under_an_open_buffer_is_not_in_the_text_shown_until_the_editor_takes_it() -> None:
    steps = [
        opened(0, "a\n"),
        {"kind": "file_change", "t_ms": 10, "source": "watcher", "path": "a.py", "change": "modified",
         "text": "a\nb\n", "origin": "agent"},  # step 1: the editor keeps its buffer; id 1 is "b" (its line
        # break, whitespace, is not traced)
        {"kind": "close", "t_ms": 20, "source": "lsp", "path": "a.py"},  # step 2: the disk is shown now
    ]
    trace = _trace(steps[:2])
    assert (trace.inserted[1], trace.alive[1]) == (1, 0)
    assert _trace(steps).alive[1] == 1
    trace = _trace([*steps[:2], saved(20)])  # the buffer saved over it instead: gone from disk too
    assert (trace.alive[1], trace.disk["a.py"]) == (0, None)


@pytest.mark.parametrize(("seed", "profile"), [(1, "training"), (2, "edit-heavy"), (3, "mixed")])
def test_every_file_has_one_id_a_character_and_every_id_counts_what_is_shown(seed: int, profile: str) -> None:
    """Over generated sessions (typing, deleting, saves, opens, closes, a snapshot, an agent's writes):
    the trace holds one id per character of every layer, and each id's `alive` is how many characters of
    the texts shown carry it."""
    made = generate(seed, profile, scale=0.02)
    rows = StepRows("e", "k", "2026-01")
    workspace = Workspace(made.header.position_encoding)
    for index, step in enumerate(made.steps):
        rows.before(index, step, workspace)
        workspace.apply(step)
        rows.observe(index, step, workspace)
    trace = rows.trace
    shown: Counter[int] = Counter()
    for path in workspace.paths():
        for layer, text in ((trace.buffers, workspace.text(path) if path in workspace.buffers else None),
                            (trace.disk, workspace.disk.get(path))):
            ids = layer.get(path)
            if ids is not None and text is not None:
                assert len(ids) == len(text), path
        ids = trace.buffers.get(path) if path in workspace.buffers else trace.disk.get(path)
        shown.update(ids or ())
    del shown[0]
    assert {made: count for made, count in enumerate(trace.alive) if count} == dict(shown)
    assert sum(trace.inserted) > 500  # (non-whitespace characters: what is traced)
    edits = rows.finish()["edits"].to_pydict()
    ended = [share for share in edits["survived_to_end"] if share is not None]
    assert 0 < sum(ended) < len(ended)  # some of it kept, some reverted
