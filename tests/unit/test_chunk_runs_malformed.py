"""The chunk decoder with and without its run reader (`iter_chunk_with(..., make_run)`, chunk_runs.py) gives
the same edits, or the same EpisodeError after the same edits, over typing sessions' chunks malformed in any
column: values of another type or out of range, columns one entry longer or shorter, columns of another
type or missing, characters of the text column replaced by others of another width (a line break, a
character beyond ASCII or beyond the BMP: the same lengths, other carets), unknown step encodings, sources
and paths of the wrong type; and records(runs=True) reads what Episode.steps() reads from the same chunks."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from collector.episode import open_episode
from collector.episode.chunk import encode_chunk, iter_chunk_with
from collector.episode.edits import MAX_POSITION, ColumnEdits, Edit, EditRun
from collector.episode.records import records
from collector.errors import EpisodeError
from collector.text.positions import caret_after
from schemas.common import PositionEncoding
from tests.examples import examples
from tests.unit.test_chunk_runs import _readers_agree
from tests.unit.test_episode_records import _episode
from tests.unit.test_typed_runs import ENCODINGS, _edit, sessions

PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(1500),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ODD: st.SearchStrategy[Any] = st.sampled_from([0, 0.0, 1.0, -1.0, True, False, -1, 1, 2, 4, -4, MAX_POSITION,
                                               MAX_POSITION + 1, "0", "", None, 2**64 - 1, -(2**63), b"\x01"])
INTS = st.integers(-3, 5) | st.sampled_from([MAX_POSITION - 1, MAX_POSITION, MAX_POSITION + 1])
LISTS = ["dt", "ep", "ev", "en", "c", "cl", "cf", "S", "P", "g"]
SCALARS = ["n", "t0", "k", "s", "ct"]
CHARACTERS = st.sampled_from(["a", "\n", "\r", "é", "😀", "\u2028", "\x00", '"', "\U0010ffff"])


@st.composite
def malformed(draw: st.DrawFn, chunk: dict[str, Any]) -> dict[str, Any]:
    """The chunk with one to three of these damages."""
    chunk = {key: list(value) if isinstance(value, list) else value for key, value in chunk.items()}
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["value", "value", "value", "longer", "shorter", "column", "text", "text",
                                    "kind", "source"]))
        key = draw(st.sampled_from(LISTS))
        column = chunk.get(key)
        if how == "value" and isinstance(column, list) and column:
            column[draw(st.integers(0, len(column) - 1))] = draw(INTS if draw(st.booleans()) else ODD)
        elif how == "longer" and isinstance(column, list):
            column.insert(draw(st.integers(0, len(column))), draw(INTS if draw(st.booleans()) else ODD))
        elif how == "shorter" and isinstance(column, list) and column:
            column.pop(draw(st.integers(0, len(column) - 1)))
        elif how == "column":
            key = draw(st.sampled_from(LISTS + SCALARS))
            if draw(st.integers(0, 4)) == 0:
                chunk.pop(key, None)
            else:
                value = chunk.get(key)
                chunk[key] = draw(st.sampled_from([None, 0, "x", b"", {}, [], (), True])) \
                    if not isinstance(value, list | bytes) or draw(st.booleans()) else \
                    (tuple(value) if isinstance(value, list) else list(value))
        elif how == "text" and isinstance(chunk.get("ct"), str) and chunk["ct"]:
            text = chunk["ct"]
            at = draw(st.integers(0, len(text) - 1))
            chunk["ct"] = text[:at] + draw(CHARACTERS) + text[at + 1:]
        elif how == "kind" and isinstance(chunk.get("k"), bytes) and chunk["k"]:
            kinds = bytearray(chunk["k"])
            kinds[draw(st.integers(0, len(kinds) - 1))] = draw(st.sampled_from([0, 1, 2]))
            chunk["k"] = bytes(kinds)
        elif how == "source" and isinstance(chunk.get("s"), bytes) and chunk["s"]:
            ids = bytearray(chunk["s"])
            ids[draw(st.integers(0, len(ids) - 1))] = draw(st.sampled_from([0, 1, 2, 255]))
            chunk["s"] = bytes(ids)
            chunk["S"] = [*chunk["S"], draw(st.sampled_from(["cli", "Bad", 7, None]))] \
                if isinstance(chunk.get("S"), list) else chunk.get("S")
    return chunk


def _decoded(chunk: Any, encoding: PositionEncoding, runs: bool) -> tuple[list[str], str | None, bool]:
    """Every step the decoder gives (a run as its edits), exactly (repr: True and 1 differ), its error, and
    whether a run came at once."""
    maker = ColumnEdits()
    seen: list[str] = []
    whole = False
    try:
        for item in iter_chunk_with(chunk, encoding, maker, maker.run if runs else None):
            if isinstance(item, EditRun):
                whole = True
                seen.extend(repr(edit.to_dict()) for edit in item.edits())
            else:
                seen.append(repr(item.to_dict() if isinstance(item, Edit) else item))
    except EpisodeError as exc:
        return seen, str(exc), whole
    return seen, None, whole


def _agree(chunk: Any, encoding: PositionEncoding) -> bool:
    """Whether the decoder read a run at once (the two agree either way)."""
    with_runs, one_by_one = _decoded(chunk, encoding, runs=True), _decoded(chunk, encoding, runs=False)
    assert with_runs[:2] == one_by_one[:2]
    return with_runs[2]


@PROFILE
@given(st.data())
def test_malformed_chunks_decode_alike_with_and_without_runs(data: st.DataObject) -> None:
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding, valid=data.draw(st.booleans())))
    chunk = data.draw(malformed(encode_chunk(steps, encoding)))
    event("a run read at once" if _agree(chunk, encoding) else "no run read at once")


@settings(derandomize=True, database=None, deadline=None, max_examples=examples(150),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_malformed_chunks_read_alike_by_records_with_runs_and_by_the_models(data: st.DataObject) -> None:
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding, valid=data.draw(st.booleans())))
    _readers_agree(encoding, [data.draw(malformed(encode_chunk(steps, encoding)))], len(steps))


def _typed(keys: str, encoding: PositionEncoding, versions: list[int | None] | None = None
           ) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                    "text": "ab\ncd"}]
    line, character = 1, 1
    for number, key in enumerate(keys):
        version = None if versions is None else versions[number]
        steps.append(_edit(1, "a.py", line, character, key, version=version))
        line, character = caret_after(line, character, key, encoding)
    return steps


def test_named_widths_versions_and_texts_decode_alike() -> None:
    """Runs of keys beyond ASCII and beyond the BMP in each encoding, a run's text changed to another width
    after encoding (the carets after it move), versions given, absent, or some."""
    for encoding in ("utf-8", "utf-16", "utf-32"):
        for keys in ("abcd", "é😀ab", "😀😀😀", "a\U0010ffffé\u2028"):
            for versions in (None, [2, 3, 5, 6], [2, None, 4, None], [None, None, None, 7]):
                chunk = encode_chunk([*_typed(keys, encoding, versions[:len(keys)] if versions else None),
                                      _edit(2, "a.py", 1, 0, "z")], encoding)
                _agree(chunk, encoding)
                for at, other in ((0, "😀"), (1, "é"), (2, "\n"), (3, "a"), (4, "\r")):
                    text = chunk["ct"]
                    if at < len(text):
                        _agree({**chunk, "ct": text[:at] + other + text[at + 1:]}, encoding)


@settings(derandomize=True, database=None, deadline=None, max_examples=examples(300),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_a_chunk_that_starts_before_the_one_before_ended_is_refused_alike(data: st.DataObject) -> None:
    """Two chunks, the second's start time moved back (before the first's last step, or not): its first run
    is refused where its first edit would be."""
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding))
    cut = data.draw(st.integers(1, len(steps)))
    chunks = [encode_chunk(part, encoding) for part in (steps[:cut], steps[cut:]) if part]
    if len(chunks) == 2:
        chunks[1]["t0"] = max(0, chunks[1]["t0"] - data.draw(st.integers(0, 3)))
    _readers_agree(encoding, chunks, len(steps))


def test_a_run_that_starts_a_chunk_before_the_one_before_ended_is_refused() -> None:
    steps = [*_typed("ab", "utf-16"), *[_edit(9, "a.py", 1, 3 + n, key) for n, key in enumerate("xyz")]]
    first, second = encode_chunk(steps[:3], "utf-16"), encode_chunk(steps[3:], "utf-16")
    _readers_agree("utf-16", [first, second], len(steps))
    _readers_agree("utf-16", [first, {**second, "t0": 0}], len(steps))
    with tempfile.TemporaryDirectory() as directory:
        episode = open_episode(_episode(Path(directory), "utf-16", [first, {**second, "t0": 0}], len(steps)))
        with pytest.raises(EpisodeError, match="step times go backwards"):
            list(records(episode, runs=True))
