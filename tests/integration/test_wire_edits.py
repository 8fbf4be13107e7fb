"""The collector's keystroke path: an edit step's dict, as a client sends it, is checked and packed without
pydantic (`collector.episode.edits.wire_edit`) only when the schema would take it unchanged, and then
written byte for byte as its EditStep would be. Anything else goes through the model, as before."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.daemon import open_episode
from collector.daemon.session import Session
from collector.episode.edits import MAX_POSITION, MAX_T_MS, ColumnEdits, Edit, wire_edit
from collector.home import Home
from collector.journal import JournalScanner
from collector.journal.frames import pack_step
from collector.workspace.registry import Registry
from schemas import step_from_dict, step_to_dict
from tests.examples import examples

PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(1500),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TEXTS = st.lists(st.sampled_from(["a", "é", "😀", "\r", "\n", "\t", "", "def f():"]), max_size=5).map("".join)
NUMBERS = st.sampled_from([0, 1, 7, MAX_POSITION])
POSITION = st.fixed_dictionaries({"line": NUMBERS, "character": NUMBERS})
CHANGE = st.fixed_dictionaries({"text": TEXTS}, optional={"range": st.none() | st.fixed_dictionaries(
    {"start": POSITION, "end": POSITION})})
PLAIN = st.fixed_dictionaries(
    {"kind": st.just("edit"), "t_ms": st.sampled_from([0, 5, MAX_T_MS]),
     "source": st.sampled_from(["bridge", "cli", "a.b-c_9"]),
     "path": st.sampled_from(["a.py", "ü/😀 c", "d"]),
     "changes": st.lists(CHANGE, min_size=1, max_size=3)},
    optional={"version": st.none() | st.integers(-3, 2**40)})
# What a value may be instead: the near misses of every check (bounds, types pydantic's lax mode converts
# or refuses, strings its patterns or lengths refuse, containers of the wrong kind).
ODD: st.SearchStrategy[object] = st.sampled_from([
    -1, MAX_POSITION + 1, MAX_T_MS + 1, 2**64, True, False, 1.0, 1.5, "3", b"4", None, [], {}, (), "",
    "Bridge", "a" * 33, "a" * 4097, "edit", "x", {"line": 0}, {"line": 0, "character": 0, "x": 1}, [{}],
    [{"text": "a", "x": 1}], {"start": {"line": 0, "character": 0}}])


@st.composite
def wire_steps(draw: st.DrawFn) -> dict[str, Any]:
    """A plain edit, then maybe some of its values (at any depth) replaced by near misses, keys added or
    removed."""
    step = draw(PLAIN)
    for _ in range(draw(st.integers(0, 2))):
        holders: list[dict[str, Any]] = [step]
        changes = step.get("changes")
        for change in changes if isinstance(changes, list) else []:
            if isinstance(change, dict):
                holders.append(change)
                if isinstance(change.get("range"), dict):
                    holders.extend(v for v in change["range"].values() if isinstance(v, dict))
                    holders.append(change["range"])
        holder = draw(st.sampled_from(holders))
        key = draw(st.sampled_from([*holder.keys(), "extra"]))
        if draw(st.booleans()) and key in holder:
            del holder[key]
        else:
            holder[key] = copy.deepcopy(draw(ODD))  # never the strategy's own object
    return step


def _model(step: dict[str, Any]) -> Any:
    try:
        return step_from_dict(step)
    except Exception:
        return None


@PROFILE
@given(wire_steps())
def test_an_edit_takes_the_plain_path_only_as_the_model_would_write_it(step: dict[str, Any]) -> None:
    edit = wire_edit(step, ColumnEdits())
    model = _model(step)
    if edit is None:
        return
    assert model is not None, "the plain path took what the schema refuses"
    assert pack_step(edit.to_dict()) == pack_step(step_to_dict(model))
    assert edit.changes == Edit.from_step(model).changes and edit.version == model.version


@PROFILE
@given(PLAIN)
def test_every_plain_edit_takes_the_plain_path(step: dict[str, Any]) -> None:
    assert wire_edit(step, ColumnEdits()) is not None


def test_the_maker_forgets_beyond_its_limit() -> None:
    edits = ColumnEdits(limit=2)
    for path in ("a", "b", "c", "d"):
        assert wire_edit({"kind": "edit", "t_ms": 1, "source": "bridge", "path": path,
                          "changes": [{"text": "x"}]}, edits) is not None
    assert len(edits._paths) <= 2


def _record(tmp: Path, steps: list[tuple[int, dict[str, Any]]]) -> tuple[list[bytes], list[dict[str, Any]]]:
    home, ws = Home(tmp / "h"), tmp / "ws"
    ws.mkdir(parents=True)
    (ws / ".codetape.toml").write_text("", encoding="utf-8")
    Registry(home).add(ws.resolve())
    session = Session(ws.resolve(), home, start_watchers=None, clock=lambda: 1_700_000_100_000)
    for at in range(0, len(steps), 7):  # batches, as a bridge sends them, and single steps
        session.add_many(steps[at:at + 7], source="bridge")
    session.add(*steps[0], source="bridge")
    journal = next((home.journals).glob("*.journal"))
    frames = [frame.payload for frame in JournalScanner(journal).frames()][1:]  # the header names the episode
    session.detach()  # what the next episode would write where it first edits a.py: the text followed
    return frames, [session._open_docs.opening({"kind": "edit", "path": "a.py"}) or {}]


def test_a_session_writes_the_same_journal_and_documents_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    start = 1_700_000_000_000
    steps: list[tuple[int, dict[str, Any]]] = [(start, {"kind": "open", "path": "a.py", "text": "x = 1\n"})]
    for i in range(300):
        line, character = divmod(i, 9)
        change: dict[str, Any] = {"range": {"start": {"line": line + 1, "character": character},
                                            "end": {"line": line + 1, "character": character}},
                                  "text": "\n" if character == 8 else "é😀a"[i % 3]}
        step: dict[str, Any] = {"kind": "edit", "path": "a.py", "version": i + 2, "changes": [change]}
        if i % 50 == 7:
            step["changes"] = [{"text": "whole\ndocument\n"}]
        if i % 61 == 3:
            step["version"] = True  # the model's to judge (lax: 1)
        if i % 67 == 5:
            step["changes"] = [{"range": {"start": {"line": -1, "character": 0},
                                          "end": {"line": 0, "character": 0}}, "text": "x"}]  # refused: a gap
        steps.append((start + i, step))
    with tempfile.TemporaryDirectory() as fast_dir:
        fast = _record(Path(fast_dir), steps)
    monkeypatch.setattr(open_episode, "wire_edit", lambda step, edits: None)
    with tempfile.TemporaryDirectory() as slow_dir:
        slow = _record(Path(slow_dir), steps)
    assert len(fast[0]) == len(steps) + 1
    assert fast == slow
