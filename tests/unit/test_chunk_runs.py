"""Runs of typed characters read a run at a time from a chunk's columns (collector/episode/chunk_runs.py,
`records(..., runs=True)`) are the edits the step-by-step readers give: over typing sessions whose chunks
are damaged where the run reader looks (a value of another type or out of range in the times, paths,
versions, change counts, ranges, text lengths or sources), the three readers give the same steps and the
same error after the same steps; each run's edits are the Edits records() gives one by one."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.episode import open_episode
from collector.episode.chunk import encode_chunk
from collector.episode.chunk_runs import typing_runs
from collector.episode.edits import MAX_POSITION, EditRun
from collector.episode.records import records
from collector.errors import EpisodeError
from collector.text.positions import caret_after
from collector.verify.integrity import verify_replay
from schemas.common import PositionEncoding
from tests.examples import examples
from tests.unit.test_episode_records import _episode, _read
from tests.unit.test_typed_runs import ENCODINGS, _edit, _same, _write, sessions

PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(500),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ODD: st.SearchStrategy[Any] = st.sampled_from([0.0, 1.0, -1.0, True, False, -1, 1, 2, MAX_POSITION + 1, "0",
                                               None, 2**64 - 1])
TYPING = ["dt", "ep", "ev", "en", "c", "c", "c", "c", "cl", "cf"]


@st.composite
def spoilt(draw: st.DrawFn, chunk: dict[str, Any]) -> dict[str, Any]:
    """The chunk with one or two values of the columns runs are read from replaced."""
    chunk = {key: list(value) if isinstance(value, list) else value for key, value in chunk.items()}
    for _ in range(draw(st.integers(1, 2))):
        column = chunk[draw(st.sampled_from(TYPING))]
        if column:
            column[draw(st.integers(0, len(column) - 1))] = draw(ODD)
        elif draw(st.booleans()):
            column.append(draw(st.integers(0, 3)))
    if draw(st.integers(0, 5)) == 0:  # a source id past the sources, or another source
        ids = bytearray(chunk["s"])
        ids[draw(st.integers(0, len(ids) - 1))] = draw(st.sampled_from([1, 9]))
        chunk["s"] = bytes(ids)
        chunk["S"] = [*chunk["S"], draw(st.sampled_from(["cli", "Bad", 7]))]
    return chunk


def _readers_agree(encoding: Any, chunk_maps: list[Any], count: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _episode(Path(directory), encoding, chunk_maps, count)
        by_models = _read(path, "steps")
        assert _read(path, "records") == by_models
        assert _read(path, "runs") == by_models


@PROFILE
@given(st.data())
def test_chunks_damaged_where_runs_are_read_are_read_alike(data: st.DataObject) -> None:
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding, valid=False))
    _readers_agree(encoding, [data.draw(spoilt(encode_chunk(steps, encoding)))], len(steps))


@PROFILE
@given(st.data())
def test_runs_are_found_and_read_as_their_edits(data: st.DataObject) -> None:
    encoding = data.draw(ENCODINGS)
    steps = data.draw(sessions(encoding, valid=False))
    _readers_agree(encoding, [encode_chunk(steps, encoding)], len(steps))


def _typed(keys: str, encoding: PositionEncoding = "utf-16") -> list[dict[str, Any]]:
    """An open, then `keys` typed one after the other from line 1, character 1."""
    steps: list[dict[str, Any]] = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                    "text": "ab\ncd"}]
    line, character = 1, 1
    for number, key in enumerate(keys):
        steps.append(_edit(1, "a.py", line, character, key, version=number + 2))
        line, character = caret_after(line, character, key, encoding)
    return steps


def _runs(chunk: dict[str, Any]) -> list[int]:
    """The lengths of the runs records(runs=True) reads from this chunk (its steps: an open, then edits)."""
    found: list[int] = []
    with tempfile.TemporaryDirectory() as directory:
        episode = open_episode(_episode(Path(directory), "utf-16", [chunk], chunk["n"]))
        with contextlib.suppress(EpisodeError):  # (a step the model refuses, after the runs before it)
            found.extend(len(item) for item in records(episode, runs=True) if isinstance(item, EditRun))
    return found


def test_named_runs_and_what_keeps_a_chunk_from_them() -> None:
    chunk = encode_chunk(_typed("xyzw"), "utf-16")
    assert chunk["c"] == [1, 1, 0, 0, *[0, 0, 0, 0] * 3]  # the first key's range, then three at the caret
    found = typing_runs(chunk, "utf-16")
    assert found is not None and found.ends == {0: 4} and found.times == [0, 1, 1, 1, 1]
    assert _runs(chunk) == [4]
    # a zero that is not an int: the columns are not plainly the encoder's, the steps go one by one
    for value in (0.0, False):
        assert typing_runs({**chunk, "c": [1, 1, 0, 0, 0, value, 0, 0, *[0, 0, 0, 0] * 2]}, "utf-16") is None
    assert typing_runs({**chunk, "t0": 0.0}, "utf-16") is None
    assert typing_runs({**chunk, "ev": [2, 1, 1.0, 1]}, "utf-16") is None
    assert typing_runs({**chunk, "dt": [0, 1, -1, 0, 0]}, "utf-16") is None
    assert typing_runs({**chunk, "s": bytes([0, 0, 0, 0, 1])}, "utf-16") is None  # no source 1
    # a key off the caret ends the run before it; a line break, an empty text, another file likewise
    jumped = typing_runs({**chunk, "c": [1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]}, "utf-16")
    assert jumped is not None and jumped.ends == {0: 2, 2: 4}
    for keys, ends in (("xy\nw", {0: 2}), ("x\ryz", {2: 4}), ("é😀ab", {0: 4})):
        split = typing_runs(encode_chunk(_typed(keys), "utf-16"), "utf-16")
        assert split is not None and split.ends == ends, keys
    encodings: list[tuple[PositionEncoding, list[int]]] = [("utf-8", [2, 4, 1, 1]), ("utf-16", [1, 2, 1, 1]),
                                                           ("utf-32", [1, 1, 1, 1])]
    for encoding, widths in encodings:
        found = typing_runs(encode_chunk(_typed("é😀ab", encoding), encoding), encoding)
        assert found is not None and found.widths == widths, encoding
    other = [*_typed("xy"), _edit(1, "b.py", 0, 0, "z"), _edit(1, "b.py", 0, 1, "w")]
    two = typing_runs(encode_chunk(other, "utf-16"), "utf-16")
    assert two is not None and two.ends == {0: 2, 2: 4}


def test_a_run_the_schema_would_not_take_goes_one_by_one() -> None:
    """The run's steps come one at a time when one of them is not what the schema holds as it is."""
    steps = _typed("xyz")
    assert _runs(encode_chunk(steps, "utf-16")) == [3]
    far = [*steps[:1], *(_edit(1, "a.py", 1, MAX_POSITION - 1 + n, key) for n, key in enumerate("xyz"))]
    bad_source = [*steps[:3], {**steps[3], "source": "Bad"}]
    for spoiled in (far, bad_source, [{**step, "path": ""} for step in steps]):
        assert _runs(encode_chunk(spoiled, "utf-16")) == []
        _readers_agree("utf-16", [encode_chunk(spoiled, "utf-16")], len(spoiled))


def test_a_run_longer_than_max_run_is_replayed_in_pieces(tmp_path: Path) -> None:
    """1,100 keys typed in a row: one run in the chunk, replayed as runs of at most MAX_RUN (1,024)."""
    steps = _typed("abcdefghij" * 110)
    assert _runs(encode_chunk(steps, "utf-16")) == [1100]
    assert _same(_write(tmp_path, "utf-16", steps, False, 4096)) == ("1101", 1100 - 2)


def test_runs_without_observe_run_are_replayed_edit_by_edit(tmp_path: Path) -> None:
    """verify_replay given EditRuns but no `observe_run` replays each of their edits (none is skipped)."""
    steps = _typed("xyzw")
    chunk = encode_chunk(steps, "utf-16")
    episode = open_episode(_episode(tmp_path, "utf-16", [chunk], chunk["n"]))
    assert [len(item) for item in records(episode, runs=True) if isinstance(item, EditRun)] == [4]
    seen: list[tuple[int, str | None]] = []
    count = verify_replay(episode, records(episode, runs=True),
                          observe=lambda index, step, workspace: seen.append((index, workspace.text("a.py"))))
    assert count == 5 and seen[-1] == (4, "ab\ncxyzwd") and [index for index, _ in seen] == [0, 1, 2, 3, 4]
