"""Runs of typed characters replayed as one change (collector/reconstruct/runs.py) replay exactly as the
edits one by one: over random typing sessions, valid and damaged (edits to files not open, positions past a
line's end, line breaks and deletions inside runs, bad save hashes, damaged chunk columns, keyframes inside
runs, sources and paths the schema refuses, times past its bound, versions or none), verify_replay with
`observe_run` over `records(..., runs=True)` (runs found in the chunk's columns: chunk_runs.py) gives the
same verdict (the same error class and message, so the same step) and the same rows as without, and as
over the models `verify` reads (Episode.steps(): a diagnostics step's path checked whether or not it is
read without its model), and after every step they observe the same files, memory estimate and work
count. With small memory and work caps,
the workspace refuses the same step of a run with the same message, the run given as Edits or as an
EditRun."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.dataset.rows import StepRows
from collector.episode import open_episode, write_episode_file
from collector.episode.chunk import encode_chunk
from collector.episode.edits import MAX_POSITION, MAX_T_MS, Edit, EditRun, Record
from collector.episode.records import records
from collector.errors import EpisodeError, ReconstructionError
from collector.reconstruct.keyframes import keyframe_states
from collector.reconstruct.runs import TypedRun, typed_runs
from collector.reconstruct.workspace import Workspace
from collector.text.digest import sha256_text
from collector.text.longline import CHUNK
from collector.text.positions import caret_after
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict
from schemas.common import PositionEncoding
from tests.examples import examples
from tests.unit.test_episode_records import _episode, damaged

PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(400),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ENCODINGS: st.SearchStrategy[PositionEncoding] = st.sampled_from(["utf-8", "utf-16", "utf-32"])
KEYS = st.sampled_from(["a", "b", " ", "é", "😀", "ab", "x😀y", "\t", "a", "b", "\n", "\r", "\r\n", "", '"',
                        "\\", "a", "b", "\x7f"])
LINES = st.lists(st.sampled_from(["", "x", "def f():", "é😀é", "  pass"]), max_size=4)
PATHS = st.sampled_from(["a.py", "a.py", "a.py", "b.py", "b.py", "../up.py"])
SOURCES = st.sampled_from(["bridge", "bridge", "bridge", "bridge", "cli", "Bad"])  # "Bad": the schema refuses


def _header(encoding: PositionEncoding) -> EpisodeHeader:
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=7, version=4),
                         started_at=datetime(2026, 3, 4, tzinfo=UTC), position_encoding=encoding,
                         workspace=WorkspaceIdentity(root_name="runs"))


def _edit(t_ms: int, path: str, line: int, character: int, text: str, end: tuple[int, int] | None = None,
          source: str = "bridge", version: int | None = None) -> dict[str, Any]:
    el, ec = end or (line, character)
    step = {"kind": "edit", "t_ms": t_ms, "source": source, "path": path,
            "changes": [{"range": {"start": {"line": line, "character": character},
                                   "end": {"line": el, "character": ec}}, "text": text}]}
    return step if version is None else {**step, "version": version}


@st.composite
def sessions(draw: st.DrawFn, encoding: PositionEncoding, valid: bool = True) -> list[dict[str, Any]]:
    """Steps of a typing session: opens, bursts of keys each typed where the one before ended (now and
    then a deletion, a jump, another file, another source, diagnostics), saves with the right hash or a
    wrong one, closes; edits with versions, without, or either; the session's times from 0 or from below
    the schema's bound. Unless `valid`, now and then a source or a path the schema refuses or a jump to a
    character just below its bound, and times that may pass its bound."""
    steps: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    t_ms = draw(st.sampled_from([0, 0, 0, MAX_T_MS - 5000] if valid else [0, 0, MAX_T_MS - 12, MAX_T_MS - 3]))
    versions = draw(st.sampled_from(["all", "none", "some"]))
    version = draw(st.integers(-2, 3))
    for _ in range(draw(st.integers(1, 6))):
        t_ms += 1
        path = draw(PATHS) if steps else "a.py"
        action = draw(st.sampled_from(["open", "type", "type", "type", "type", "save", "close"]))
        if action == "open" or not steps:
            text = "\n".join(draw(LINES))
            texts[path] = text
            steps.append({"kind": "open", "t_ms": t_ms, "source": "bridge", "path": path, "text": text})
        elif action == "type":
            path = draw(st.sampled_from(sorted(texts))) if draw(st.integers(0, 5)) else path  # mostly open
            line, character = draw(st.sampled_from([0, 0, 0, 1, 2])), draw(st.sampled_from([0, 0, 1, 2, 5]))
            for _ in range(draw(st.integers(1, 30))):
                key = draw(KEYS)
                twist = draw(st.integers(0, 19))
                version += draw(st.sampled_from([1, 1, 2]))
                numbered = versions == "all" or (versions == "some" and draw(st.booleans()))
                if twist == 0:  # a backspace
                    steps.append(_edit(t_ms, path, line, max(character - 1, 0), "", (line, character),
                                       version=version if numbered else None))
                    character = max(character - 1, 0)
                    continue
                if twist == 1:  # the caret jumps
                    line, character = draw(st.integers(0, 4)), draw(st.integers(0, 9))
                if twist == 2:  # another file
                    path = draw(PATHS if valid else st.sampled_from(["a.py", "b.py", ""]))
                if twist == 5 and not valid:  # typing past the schema's bound
                    character = MAX_POSITION - draw(st.integers(0, 2))
                if twist == 3:  # a unit off the caret: inside the character just typed, or past it
                    character = max(character + draw(st.sampled_from([-1, 1])), 0)
                if twist == 6:  # a language server's diagnostics between two keys
                    steps.append({"kind": "diagnostics", "t_ms": t_ms, "source": "bridge", "path": path,
                                  "items": [] if draw(st.booleans()) else [
                                      {"range": {"start": {"line": line, "character": 0},
                                                 "end": {"line": line, "character": character}},
                                       "message": draw(KEYS), "severity": 2}]})
                source = draw(SOURCES.filter(lambda name: name != "Bad") if valid else SOURCES) \
                    if twist == 4 else "bridge"
                steps.append(_edit(t_ms, path, line, character, key, source=source,
                                   version=version if numbered else None))
                line, character = caret_after(line, character, key, encoding)
                t_ms += draw(st.sampled_from([0, 1, 1, 5]))
        elif action == "save":
            right = draw(st.booleans())
            steps.append({"kind": "save", "t_ms": t_ms, "source": "bridge", "path": path,
                          "sha256": sha256_text(texts.get(path, "") if right else "?")})
        else:
            steps.append({"kind": "close", "t_ms": t_ms, "source": "bridge", "path": path})
    return steps


def _write(directory: Path, encoding: PositionEncoding, steps: list[dict[str, Any]], keyframes: bool,
           chunk_steps: int) -> Path:
    path = directory / "e.ctape"
    states = keyframe_states(encoding) if keyframes else None
    write_episode_file(path, _header(encoding), [step_from_dict(step) for step in steps], level=1,
                       states=states, chunk_steps=chunk_steps)
    return path


def _replay(path: Path, reader: str) -> tuple[str, dict[int, tuple[Any, ...]], dict[str, list[Any]]]:
    """The verdict (steps replayed, or the error), what the workspace is after each step observed (files,
    memory estimate, work), and the rows gathered (also when refused); `reader` "models": the steps as
    `verify` reads them (Episode.steps()), "records": records(), "runs": records(runs=True) with runs of
    typed characters replayed as one change, as the dataset build reads and replays them."""
    episode = open_episode(path)
    rows = StepRows("e", "k", "2026-01")
    seen: dict[int, tuple[Any, ...]] = {}

    def look(index: int, workspace: Workspace) -> None:
        buffers = {name: "".join(doc.lines) for name, doc in workspace.buffers.items()}
        seen[index] = (buffers, dict(workspace.disk), workspace.weight, workspace.work)

    def observe(index: int, step: Record, workspace: Workspace) -> None:
        look(index, workspace)
        rows.observe(index, step, workspace)

    def observe_run(first: int, run: EditRun, workspace: Workspace) -> None:
        assert len(run) > 1
        look(first + len(run) - 1, workspace)
        rows.observe_run(first, run, workspace)

    try:
        steps = episode.steps() if reader == "models" else records(episode, runs=reader == "runs")
        verdict = str(verify_replay(episode, steps, observe=observe,
                                    observe_run=observe_run if reader == "runs" else None))
    except (EpisodeError, ReconstructionError) as exc:
        verdict = f"{type(exc).__name__}: {exc}"
    return verdict, seen, rows.steps.columns


def _same(path: Path) -> tuple[str, int]:
    """The three replays agree; (the verdict, how many steps went in runs)."""
    models, one_by_one, runs = _replay(path, "models"), _replay(path, "records"), _replay(path, "runs")
    assert one_by_one == models
    assert runs[0] == one_by_one[0]
    assert runs[2] == one_by_one[2]
    assert set(runs[1]) <= set(one_by_one[1])
    assert runs[1] == {index: one_by_one[1][index] for index in runs[1]}
    return runs[0], len(one_by_one[1]) - len(runs[1])


@PROFILE
@given(st.data())
def test_typed_runs_replay_as_the_edits_one_by_one(data: st.DataObject) -> None:
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding))
    keyframes, chunk_steps = data.draw(st.booleans()), data.draw(st.sampled_from([3, 7, 4096]))
    with tempfile.TemporaryDirectory() as directory:
        _same(_write(Path(directory), encoding, steps, keyframes, chunk_steps))


@PROFILE
@given(st.data())
def test_chunks_the_schema_refuses_stop_both_replays_at_the_same_step(data: st.DataObject) -> None:
    """Sources and paths the schema refuses, times and positions past its bounds, in one or two chunks as
    the encoder writes them: a run the columns hold is refused at the same step as its edits one by one."""
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding, valid=False))
    cut = data.draw(st.integers(1, len(steps)))
    chunk_maps = [encode_chunk(part, encoding) for part in (steps[:cut], steps[cut:]) if part]
    with tempfile.TemporaryDirectory() as directory:
        _same(_episode(Path(directory), encoding, chunk_maps, len(steps)))


@PROFILE
@given(st.data())
def test_damaged_chunks_stop_both_replays_at_the_same_step(data: st.DataObject) -> None:
    """A chunk refused by the reader just after a run: the run is replayed (and refused where it fails)
    before the reader's error, as one by one."""
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding, valid=False))
    cut = data.draw(st.integers(1, len(steps)))
    chunk_maps = [encode_chunk(part, encoding) for part in (steps[:cut], steps[cut:]) if part]
    spoilt = data.draw(st.integers(0, len(chunk_maps) - 1))
    chunk_maps[spoilt] = data.draw(damaged(chunk_maps[spoilt]))
    with tempfile.TemporaryDirectory() as directory:
        _same(_episode(Path(directory), encoding, chunk_maps, len(steps)))


def test_the_sessions_hold_runs_and_every_refusal() -> None:
    """Named cases: the generator's runs are coalesced, and each refusal inside or after a run is the
    one-by-one refusal."""
    typed = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py", "text": "ab\ncd"}]
    typed += [_edit(1, "a.py", 1, 1 + number, key) for number, key in enumerate("xyz")]
    right = sha256_text("ab\ncxyzd")
    save = {"kind": "save", "t_ms": 2, "source": "bridge", "path": "a.py", "sha256": right}
    refused = "ReconstructionError: step"
    cases: list[tuple[list[dict[str, Any]], str, int]] = [
        ([*typed, save], "5", 2),
        ([*typed, {**save, "sha256": sha256_text("no")}],
         f"{refused} 4: save at 2 ms of a.py: the reconstructed text does not match the saved hash", 2),
        ([*typed[:2], _edit(1, "b.py", 1, 2, "y")],
         f"{refused} 2: edit at 1 ms to b.py, which is not open", 0),
        ([*typed[:1], *(_edit(1, "../up.py", 0, n, "x") for n in range(3))],
         f"{refused} 1: edit of ../up.py: ", 0),
        ([*typed, _edit(1, "a.py", 1, 9, "w"), _edit(1, "a.py", 1, 10, "v")], "6", 2),  # clamped: one by one
    ]
    for steps, verdict, coalesced in cases:
        with tempfile.TemporaryDirectory() as directory:
            found, runs = _same(_write(Path(directory), "utf-16", steps, False, 4096))
        assert found.startswith(verdict) and runs == coalesced, (found, runs)
    with tempfile.TemporaryDirectory() as directory:  # a keyframe after every 2 steps cuts the run
        path = _write(Path(directory), "utf-16", [*typed, save], True, 2)
        assert open_episode(path).keyframe_count == 2
        assert _same(path) == ("5", 1)


def _caps(workspace: Workspace, steps: list[Record], runs: bool) -> tuple[str, int, int, list[str]]:
    """Replay `steps` (an open, then edits) into `workspace`: the step refused and why, the memory estimate,
    the work, the lines."""
    index = -1
    try:
        items = typed_runs(steps, workspace, lambda: 1 << 62) if runs else iter(steps)
        for item in items:
            index += 1
            if isinstance(item, TypedRun):
                workspace.apply_typing(item.typing)
                index += len(item.edits) - 1
            else:
                workspace.apply(item)
    except ReconstructionError as exc:
        return f"step {index}: {exc}", workspace.weight, workspace.work, []
    doc = workspace.buffers["a.py"]
    return "held", workspace.weight, workspace.work, list(doc.lines)


@PROFILE
@given(st.data())
def test_a_cap_reached_inside_a_run_refuses_the_same_step(data: st.DataObject) -> None:
    encoding = data.draw(ENCODINGS)
    lines = ["", "x", "é😀é", "x" * (CHUNK - 4), "é" * (CHUNK + 3)]  # one a run makes long, one long already
    text = "\n".join(data.draw(st.lists(st.sampled_from(lines), max_size=4)))
    keys = data.draw(st.lists(st.sampled_from(["a", "é", "😀", "xy", "\ud83d", "\ude00"]), min_size=2,
                              max_size=12))
    line, character = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 9))
    steps: list[Record] = [step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                           "text": text})]
    for key in keys:
        steps.append(Edit(1, "bridge", "a.py", None, [((line, character, line, character), key)]))
        line, character = caret_after(line, character, key, encoding)
    probe = Workspace(encoding)
    probe.apply(steps[0])
    limit = probe.weight + data.draw(st.integers(0, 40 * len(keys) + 300))
    work_limit = probe.work + data.draw(st.just(1 << 40) | st.integers(0, (CHUNK + 60) * len(keys)))
    results = [_caps(Workspace(encoding, limit=limit, work_limit=work_limit), steps, runs)
               for runs in (False, True)]
    assert results[0] == results[1]


@pytest.mark.parametrize(("limit", "work_limit", "verdict"), [
    (10**9, 10**9, "held"),
    (10**9, 0, "step 1: step at 1 ms: the replay has already copied"),  # the open's 3 is past the cap
    # the edits copy their line after the insert plus one: 5, 6, 7; the check before the third sees 3 + 11
    (10**9, 13, "step 3: step at 1 ms: the replay has already copied"),
    (10**9, 14, "held"),
    (None, 10**9, "step 3: step at 1 ms would take the reconstructed files above"),
])
def test_named_caps_inside_a_run(limit: int | None, work_limit: int, verdict: str) -> None:
    steps: list[Record] = [step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                           "text": "abc"})]
    steps += [Edit(1, "bridge", "a.py", None, [((0, 3 + n, 0, 3 + n), "xyz"[n])]) for n in range(3)]
    probe = Workspace("utf-16")
    probe.apply(steps[0])
    # edit k is checked against weight + (k - 1) + 2 * 1 + 2 * 64: the third one's, weight + 132
    cap = probe.weight + 131 if limit is None else limit
    results = [_caps(Workspace("utf-16", limit=cap, work_limit=work_limit), steps, runs)
               for runs in (False, True)]
    assert results[0] == results[1]
    assert results[0][0].startswith(verdict), results[0]


@pytest.mark.parametrize("room", [2, 3, 5])
def test_a_run_that_would_make_its_line_long_is_replayed_one_by_one(room: int) -> None:
    """A line of more than CHUNK characters is held in pieces, which one insert into the string would not
    do: the run is applied one by one, and its work is the one-by-one work."""
    steps: list[Record] = [step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                           "text": "x" * (CHUNK - room) + "\nend"})]
    steps += [Edit(1, "bridge", "a.py", None, [((0, n, 0, n), "y")]) for n in range(4)]
    results = [_caps(Workspace("utf-8"), steps, runs) for runs in (False, True)]
    assert results[0] == results[1]
    assert results[0][0] == "held"
