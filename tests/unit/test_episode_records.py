"""records(episode), the dataset build's reader (edits checked straight from the chunk's columns, most
diagnostics steps without their models, runs of typed characters read a run at a time with `runs=True`),
and Episode.steps(), the pydantic reader, accept and refuse the same episodes: over random chunks, valid
and then damaged column by column (wrong types, out-of-range numbers, bad sources and paths, lengths that
do not add up), they give the same steps, the same skipped kinds and the same error (class and message)
after the same steps; and every golden episode reads and replays the same through both."""

from __future__ import annotations

import hashlib
import json
import struct
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.episode import open_episode
from collector.episode.chunk import encode_chunk
from collector.episode.container import HEADER, MAGIC, STEPS, TRAILER, TRAILER_PAYLOAD, compress, encode_frame
from collector.episode.edits import MAX_POSITION, MAX_T_MS, Edit, EditRun
from collector.episode.plain_steps import PlainDiagnostics
from collector.episode.records import records
from collector.errors import EpisodeError
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict, step_to_dict
from schemas.common import PositionEncoding
from tests.examples import examples
from tests.fixtures.make_golden import DIRECTORY, GOLDEN

PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(600),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TEXTS = st.lists(st.sampled_from(["a", "é", "😀", "\r", "\n", "\r\n", "\t", "", "def f():"]),
                 max_size=6).map("".join)
PATHS = st.sampled_from(["a.py", "src/b.py", "ünï/😀 c.txt", "d"])
SOURCES = st.sampled_from(["bridge", "cli", "watcher"])
SMALL = st.integers(0, 6)
POSITIONS = st.fixed_dictionaries({"line": SMALL, "character": SMALL}) | st.fixed_dictionaries(
    {"line": st.integers(MAX_POSITION - 3, MAX_POSITION), "character": st.integers(0, MAX_POSITION)})
CHANGES = st.builds(lambda span, text: {"text": text} if span is None else {"range": span, "text": text},
                    st.none() | st.fixed_dictionaries({"start": POSITIONS, "end": POSITIONS}), TEXTS)
DIAGNOSTICS = st.fixed_dictionaries(
    {"range": st.fixed_dictionaries({"start": POSITIONS, "end": POSITIONS}), "message": TEXTS},
    optional={"severity": st.integers(1, 4), "code": st.sampled_from(["E501", 3]),
              "source": st.just("pyflakes")})
STEP = st.one_of(
    st.fixed_dictionaries({"kind": st.just("edit"), "path": PATHS,
                           "changes": st.lists(CHANGES, min_size=1, max_size=3)},
                          optional={"version": st.integers(-3, 2**40)}),
    st.fixed_dictionaries({"kind": st.just("note"), "text": TEXTS}),
    st.fixed_dictionaries({"kind": st.just("open"), "path": PATHS, "text": TEXTS}),
    st.fixed_dictionaries({"kind": st.just("close"), "path": PATHS}),
    st.fixed_dictionaries({"kind": st.just("diagnostics"), "path": PATHS,
                           "items": st.lists(DIAGNOSTICS, max_size=2)},
                          optional={"origin": st.sampled_from(["", "pylsp"]), "version": st.integers(-3, 9)}),
    st.fixed_dictionaries({"kind": st.just("hologram")}),  # a kind no reader knows: skipped, counted
)
# What a damaged column may hold instead: the near misses of every check (bounds, types pydantic's lax
# mode converts or refuses, strings a pattern or a length refuses).
ODD: st.SearchStrategy[object] = st.sampled_from([
    -1, 0, 1, 2, MAX_POSITION, MAX_POSITION + 1, MAX_T_MS, MAX_T_MS + 1, 2**63, 2**64 - 1, -(2**63),
    True, False,
    1.0, 1.5, -2.0, "3", "x", b"4", None, [], {}, "bridge", "bridge\n", "Bridge", "", "a" * 33, "a" * 4097,
    "a.py", b"a.py", "../x", "a\x00b"])
COLUMNS = ["n", "t0", "k", "dt", "S", "s", "P", "g", "ep", "ev", "en", "cf", "c", "cl", "ct"]


def _header(encoding: PositionEncoding) -> EpisodeHeader:
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=12, version=4),
                         started_at=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC), position_encoding=encoding,
                         workspace=WorkspaceIdentity(root_name="records"))


@st.composite
def chunks(draw: st.DrawFn, encoding: PositionEncoding) -> dict[str, Any]:
    """One chunk as the real encoder writes it, from valid steps in time order."""
    t_ms = draw(st.sampled_from([0, 5, MAX_T_MS - 100]))
    steps = []
    for step in draw(st.lists(STEP, min_size=1, max_size=12)):
        t_ms += draw(st.sampled_from([0, 1, 40]))
        steps.append({**step, "t_ms": t_ms, "source": draw(SOURCES)})
    return encode_chunk(steps, encoding)


@st.composite
def damaged(draw: st.DrawFn, chunk: dict[str, Any]) -> dict[str, Any]:
    """The chunk with one to three of its column values replaced (or a column dropped); half the time an
    edit's position made absolute (a line jump before its start character, several lines before its end
    character) and replaced, where a value reaches a step unchanged by the caret arithmetic."""
    chunk = {key: list(value) if isinstance(value, list) else value for key, value in chunk.items()}
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(COLUMNS))
        value = chunk.get(key)
        cols = chunk.get("c")
        if isinstance(cols, list) and len(cols) >= 4 and draw(st.booleans()):
            quad = 4 * draw(st.integers(0, len(cols) // 4 - 1))
            end = draw(st.booleans())
            cols[quad + 2 * end] = draw(st.integers(1, 3))
            cols[quad + 2 * end + 1] = draw(ODD)
        elif isinstance(value, list) and value and draw(st.booleans()):
            value[draw(st.integers(0, len(value) - 1))] = draw(ODD)
        elif draw(st.integers(0, 9)) == 0:
            chunk.pop(key, None)
        else:
            chunk[key] = draw(ODD)
    return chunk


def _episode(directory: Path, encoding: PositionEncoding, chunk_maps: list[Any], count: int) -> Path:
    """A container holding these chunk maps as they are, its trailer saying `count` steps."""
    head = _header(encoding).model_dump(mode="json")
    frames = [encode_frame(HEADER, compress(msgpack.packb(head), 3))]
    frames += [encode_frame(STEPS, compress(msgpack.packb(chunk, use_bin_type=True), 1))
               for chunk in chunk_maps]
    body = MAGIC + struct.pack(">HH", 1, 1) + b"".join(frames)
    path = directory / "e.ctape"
    path.write_bytes(body + encode_frame(TRAILER, TRAILER_PAYLOAD.pack(count, hashlib.sha256(body).digest())))
    return path


def _plain(step: Any) -> str:
    """A step's plain form as JSON, so that True and 1, 1.0 and 1 differ."""
    return json.dumps(step.to_dict() if isinstance(step, (Edit, PlainDiagnostics)) else step_to_dict(step))


def _read(path: Path, reader: str) -> tuple[list[str], str | None, dict[str, int]]:
    """What one reader gives: the steps before it stopped, its error (class: message), the skipped kinds
    (reader "steps": Episode.steps(); "records": records(); "runs": records(runs=True), each run's edits)."""
    episode = open_episode(path)
    seen: list[str] = []
    try:
        for step in episode.steps() if reader == "steps" else records(episode, runs=reader == "runs"):
            seen.extend(map(_plain, step.edits()) if isinstance(step, EditRun) else [_plain(step)])
    except EpisodeError as exc:
        return seen, f"{type(exc).__name__}: {exc}", dict(episode.skipped)
    return seen, None, dict(episode.skipped)


def _same(encoding: PositionEncoding, chunk_maps: list[Any], count: int) -> tuple[str | None, int]:
    with tempfile.TemporaryDirectory() as directory:
        path = _episode(Path(directory), encoding, chunk_maps, count)
        by_models, by_columns, by_runs = _read(path, "steps"), _read(path, "records"), _read(path, "runs")
    assert by_columns == by_models
    assert by_runs == by_models
    return by_models[1], len(by_models[0])


ENCODINGS: st.SearchStrategy[PositionEncoding] = st.sampled_from(["utf-8", "utf-16", "utf-32"])


def _draw(data: st.DataObject) -> tuple[PositionEncoding, list[dict[str, Any]], int]:
    """An encoding, one or two chunks of valid steps, and how many steps they hold."""
    encoding = data.draw(ENCODINGS)
    chunk_maps = data.draw(st.lists(chunks(encoding), min_size=1, max_size=2))
    return encoding, chunk_maps, sum(chunk["n"] for chunk in chunk_maps)


@PROFILE
@given(st.data())
def test_valid_chunks_read_the_same_and_edits_come_as_edits(data: st.DataObject) -> None:
    encoding, chunk_maps, count = _draw(data)
    error, _ = _same(encoding, chunk_maps, count)
    if error is None:  # what the columns could not take as they are went through the model: still an Edit
        with tempfile.TemporaryDirectory() as directory:
            episode = open_episode(_episode(Path(directory), encoding, chunk_maps, count))
            read = list(records(episode))
        assert not any(step.kind == "edit" and not isinstance(step, Edit) for step in read)


@PROFILE
@given(st.data())
def test_damaged_chunks_are_refused_alike_or_read_alike(data: st.DataObject) -> None:
    encoding, chunk_maps, count = _draw(data)
    spoilt = data.draw(st.integers(0, len(chunk_maps) - 1))
    chunk_maps[spoilt] = data.draw(damaged(chunk_maps[spoilt]))
    _same(encoding, chunk_maps, count + data.draw(st.sampled_from([0, 0, 0, 1])))


def test_the_damage_the_property_draws_reaches_every_kind_of_refusal() -> None:
    """The generator is not vacuous: named damages give the model's refusals, the decoder's and the
    trailer's, each the same through both readers."""
    steps = [{"kind": "open", "t_ms": 1, "source": "cli", "path": "a.py", "text": "x"},
             {"kind": "edit", "t_ms": 2, "source": "cli", "path": "a.py", "version": 2,
              "changes": [{"range": {"start": {"line": 0, "character": 1},
                                     "end": {"line": 0, "character": 1}}, "text": "y"}]}]
    chunk = encode_chunk(steps, "utf-16")
    cases: list[tuple[dict[str, object], str]] = [
        ({"S": ["Cli"]}, "step 0 (open) is invalid: open.source: String should match pattern"),
        ({"S": ["cli\n"]}, "step 0 (open) is invalid: open.source: String should match pattern"),
        ({"P": ["a" * 4097]}, "step 0 (open) is invalid: open.path: String should have at most 4096"),
        ({"c": [-2, 0, 0, 0]}, "step 1 (edit) is invalid: edit.changes.0.range.start.line: Input "
                               "should be greater than or equal to 0"),
        ({"c": [0, 0, 0, 2**31 + 1]}, "step 1 (edit) is invalid: edit.changes.0.range.end.character"),
        ({"c": [1, 2**31 + 1, 0, 0]}, "step 1 (edit) is invalid: edit.changes.0.range.start.character: "
                                      "Input should be less than or equal to 2147483648"),
        ({"c": [0, 0, 1, 2**31 + 1]}, "step 1 (edit) is invalid: edit.changes.0.range.end.character: "
                                      "Input should be less than or equal to 2147483648"),
        ({"c": [0, 0, 1, "x"]}, "step 1 (edit) is invalid: edit.changes.0.range.end.character: "
                                "Input should be a valid integer"),
        ({"ev": ["2"]}, "step chunk is malformed (TypeError"),
        ({"ev": [1.5]}, "step 1 (edit) is invalid: edit.version: Input should be a valid integer"),
        ({"t0": MAX_T_MS}, "step 1 (edit) is invalid: edit.t_ms: Input should be less than or equal to"),
        ({"en": [0]}, "an edit step in the chunk declares 0 changes"),
        ({"cl": [1, 1]}, "step chunk text column does not match its lengths"),
    ]
    for change, expected in cases:
        error, _ = _same("utf-16", [{**chunk, **change}], 2)
        assert error is not None and expected in error, (change, error)
    taken: list[dict[str, object]] = [{"ev": [True], "c": [0, 0, 0, 0.0]}, {"c": [1, True, 1, "2"]},
                                      {"c": [1, True, 0, 0]}, {"c": [0, 0, 2, False]},
                                      {"c": [1, 2**31, 0, 0]}]
    for change in taken:
        error, _ = _same("utf-16", [{**chunk, **change}], 2)  # a bool, an integral float, a numeric string,
        assert error is None, (change, error)  # the highest bound: what the model takes, records() too
    edit_first = encode_chunk(steps[1:], "utf-16")  # the edit is the first step to name its source and path
    named: list[tuple[dict[str, object], str]] = [
        ({"S": ["Cli"]}, "edit.source: String should match pattern"),
        ({"S": ["cli\n"]}, "edit.source: String should match pattern"),
        ({"S": ["c" * 33]}, "edit.source: String should match pattern"),
        ({"P": [""]}, "edit.path: String should have at least 1 character"),
        ({"P": ["a" * 4097]}, "edit.path: String should have at most 4096 characters"),
        ({"P": [7]}, "edit.path: Input should be a valid string")]
    for change, expected in named:
        error, _ = _same("utf-16", [{**edit_first, **change}], 1)
        refusal = f"EpisodeError: step 0 (edit) is invalid: {expected}"
        assert error is not None and error.startswith(refusal), (change, error)
    error, read = _same("utf-16", [chunk], 3)
    assert error == "EpisodeError: episode holds 2 steps but its trailer says 3" and read == 2


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_episodes_read_and_replay_the_same(name: str) -> None:
    path = DIRECTORY / f"{name}.ctape"
    assert _read(path, "records") == _read(path, "steps")
    episode = open_episode(path)
    expected = [_plain(step) for step in GOLDEN[name][1]]
    assert [_plain(step) for step in records(episode)] == expected
    assert verify_replay(episode, records(episode)) == verify_replay(episode) == len(expected)


def test_an_edit_and_its_model_are_the_same_values() -> None:
    data = {"kind": "edit", "t_ms": 3, "source": "bridge", "path": "a.py", "version": 9,
            "changes": [{"text": "whole"}, {"range": {"start": {"line": 1, "character": 2},
                                                      "end": {"line": 3, "character": 4}}, "text": "x"}]}
    step = step_from_dict(data)
    edit = Edit.from_step(step)  # type: ignore[arg-type]
    assert edit.to_dict() == step_to_dict(step) == data
    assert edit.changes == [(None, "whole"), ((1, 2, 3, 4), "x")]
