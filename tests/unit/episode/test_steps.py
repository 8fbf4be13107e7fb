"""Episode.steps() validates steps in batches, yet a reader sees what one step at a time gives: every
step before the first bad one (across batch and chunk boundaries), unknown kinds counted as skipped, then
the error naming the bad step by its number, or the chunk's own error where decoding stops."""

from __future__ import annotations

import hashlib
import struct
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgpack
import pytest

from collector.episode import open_episode
from collector.episode.chunk import encode_chunk
from collector.episode.container import HEADER, MAGIC, STEPS, TRAILER, TRAILER_PAYLOAD, compress, encode_frame
from collector.errors import EpisodeError
from collector.text.validation import first_error
from schemas import EpisodeHeader, StepError, WorkspaceIdentity, step_from_dict
from schemas.common import plain

SOME = 16  # steps: the invalid one is put at places around multiples of this
HEAD = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=7, version=4),
                     started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
                     workspace=WorkspaceIdentity(root_name="batches"))


def _note(t_ms: int, text: str = "fine") -> dict[str, Any]:
    return {"kind": "note", "t_ms": t_ms, "source": "cli", "text": text}


def _episode(tmp_path: Path, *chunks: list[dict[str, Any]]) -> Path:
    """A container of one steps frame per chunk (encoded by the real codec), its trailer correct."""
    return _episode_of_chunks(tmp_path, [encode_chunk(steps, "utf-16") for steps in chunks],
                              sum(map(len, chunks)))


def _episode_of_chunks(tmp_path: Path, chunks: list[dict[str, Any]], count: int) -> Path:
    """A container of one steps frame per chunk (columns as given), its trailer saying `count` steps."""
    frames = [encode_frame(HEADER, compress(msgpack.packb(plain(HEAD)), 3))]
    for chunk in chunks:
        payload = msgpack.packb(chunk, use_bin_type=True)
        frames.append(encode_frame(STEPS, compress(payload, 1)))
    body = MAGIC + struct.pack(">HH", 1, 1) + b"".join(frames)
    path = tmp_path / "e.ctape"
    path.write_bytes(body + encode_frame(TRAILER, TRAILER_PAYLOAD.pack(count, hashlib.sha256(body).digest())))
    return path


def _read(path: Path) -> tuple[list[int], Exception | None, dict[str, int]]:
    """The t_ms of every step yielded, the error that ended the reading, the skipped kinds."""
    episode = open_episode(path)
    seen: list[int] = []
    try:
        for step in episode.steps():
            seen.append(step.t_ms)
    except EpisodeError as exc:
        return seen, exc, dict(episode.skipped)
    return seen, None, dict(episode.skipped)


@pytest.mark.parametrize("bad", [0, 1, SOME - 1, SOME, SOME + 3, 3 * SOME + 1])
def test_every_step_before_an_invalid_one_is_yielded_then_it_is_named(tmp_path: Path, bad: int) -> None:
    steps = [_note(t) for t in range(4 * SOME)]
    steps[bad] = _note(bad, "x" * 70_000)  # above a note's limit
    steps.insert(0, {"kind": "from-the-future", "t_ms": 0, "source": "cli"})
    seen, error, skipped = _read(_episode(tmp_path, steps))
    assert seen == list(range(bad))
    assert error is not None and str(error) == (f"step {bad + 1} (note) is invalid: text: Expected `str` of "
                                                "length <= 65536")
    assert skipped == {"from-the-future": 1}


def test_steps_of_a_chunk_are_yielded_before_the_next_chunk_fails(tmp_path: Path) -> None:
    first = [_note(t) for t in range(SOME + 5)]
    seen, error, _ = _read(_episode(tmp_path, first, [_note(1)]))  # times go backwards in chunk 2
    assert seen == list(range(SOME + 5))
    assert error is not None and "backwards" in str(error)


def test_a_valid_episode_yields_every_step_and_counts_unknown_kinds(tmp_path: Path) -> None:
    steps = [_note(t) if t % 7 else {"kind": "hologram", "t_ms": t, "source": "cli"}
             for t in range(3 * SOME)]
    seen, error, skipped = _read(_episode(tmp_path, steps[:SOME + 1], steps[SOME + 1:]))
    assert error is None
    assert seen == [t for t in range(3 * SOME) if t % 7]
    assert skipped == {"hologram": len(range(0, 3 * SOME, 7))}


def _edit(t_ms: int, line: int, character: int, text: str) -> dict[str, Any]:
    at = {"line": line, "character": character}
    return {"kind": "edit", "t_ms": t_ms, "source": "bridge", "path": "a.py", "version": t_ms,
            "changes": [{"range": {"start": at, "end": at}, "text": text}]}


def _spoil(chunk: dict[str, Any], column: str, index: int, value: Any) -> None:
    chunk[column][index] = value


@pytest.mark.parametrize(("column", "index", "value"), [
    ("S", 0, "Not A Source"),  # the source's pattern
    ("P", 0, ""),  # a path of no characters
    ("c", 0, 1.5),  # a position that is not an int
    ("c", 1, -9),  # a position before the line's start
    ("c", 0, 2**31 + 1),  # past the largest position
    ("ev", 1, 0.5),  # a version that is not an int
])
def test_an_edit_spoiled_in_its_columns_is_refused_as_the_schema_refuses_its_dict(
        tmp_path: Path, column: str, index: int, value: Any) -> None:
    """Edits are made from the columns without their dict (collector/episode/edit_structs.py), yet one
    holding a value the schema refuses is refused in the schema's words, after the steps before it."""
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py", "text": ""},
             *(_edit(t, 0, t - 1, "x") for t in range(1, 5))]
    chunk = encode_chunk([step_from_dict(step) for step in steps], "utf-16")
    _spoil(chunk, column, index, value)
    path = _episode_of_chunks(tmp_path, [chunk], len(steps))
    dicts = list(open_episode(path).step_dicts())
    bad = next(number for number, data in enumerate(dicts) if _refusal(data) is not None)
    seen, error, _ = _read(path)
    assert seen == [step["t_ms"] for step in dicts[:bad]]
    assert str(error) == f"step {bad} ({dicts[bad]['kind']}) is invalid: {_refusal(dicts[bad])}"


def test_edits_made_from_the_columns_equal_the_schema_s_reading_of_their_dicts(tmp_path: Path) -> None:
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "ü/😀 b.py", "text": "abc\n"},
             _edit(1, 0, 3, "d"), _edit(2, 0, 4, "é"), _edit(3, 1, 0, "\r\n"),
             {"kind": "edit", "t_ms": 4, "source": "bridge", "path": "ü/😀 b.py",
              "changes": [{"text": "whole"}, {"range": {"start": {"line": 0, "character": 1},
                                                        "end": {"line": 0, "character": 3}}, "text": ""}]}]
    steps[1:4] = [{**step, "path": "ü/😀 b.py"} for step in steps[1:4]]
    path = _episode(tmp_path, steps)
    episode = open_episode(path)
    assert list(episode.steps()) == [step_from_dict(data) for data in episode.step_dicts()]


def _refusal(data: dict[str, Any]) -> str | None:
    try:
        step_from_dict(data)
    except StepError as exc:
        return first_error(exc)
    return None
