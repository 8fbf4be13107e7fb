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
from collector.episode.reader_v1 import BATCH
from collector.errors import EpisodeError
from schemas import EpisodeHeader, WorkspaceIdentity

HEAD = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=7, version=4),
                     started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
                     workspace=WorkspaceIdentity(root_name="batches"))


def _note(t_ms: int, text: str = "fine") -> dict[str, Any]:
    return {"kind": "note", "t_ms": t_ms, "source": "cli", "text": text}


def _episode(tmp_path: Path, *chunks: list[dict[str, Any]]) -> Path:
    """A container of one steps frame per chunk (encoded by the real codec), its trailer correct."""
    frames = [encode_frame(HEADER, compress(msgpack.packb(HEAD.model_dump(mode="json")), 3))]
    for steps in chunks:
        payload = msgpack.packb(encode_chunk(steps, "utf-16"), use_bin_type=True)
        frames.append(encode_frame(STEPS, compress(payload, 1)))
    body = MAGIC + struct.pack(">HH", 1, 1) + b"".join(frames)
    count = sum(map(len, chunks))
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


@pytest.mark.parametrize("bad", [0, 1, BATCH - 1, BATCH, BATCH + 3, 3 * BATCH + 1])
def test_every_step_before_an_invalid_one_is_yielded_then_it_is_named(tmp_path: Path, bad: int) -> None:
    steps = [_note(t) for t in range(4 * BATCH)]
    steps[bad] = _note(bad, "x" * 70_000)  # above a note's limit
    steps.insert(0, {"kind": "from-the-future", "t_ms": 0, "source": "cli"})
    seen, error, skipped = _read(_episode(tmp_path, steps))
    assert seen == list(range(bad))
    assert error is not None and str(error) == (f"step {bad + 1} (note) is invalid: text: Expected `str` of "
                                                "length <= 65536")
    assert skipped == {"from-the-future": 1}


def test_steps_of_a_chunk_are_yielded_before_the_next_chunk_fails(tmp_path: Path) -> None:
    first = [_note(t) for t in range(BATCH + 5)]
    seen, error, _ = _read(_episode(tmp_path, first, [_note(1)]))  # times go backwards in chunk 2
    assert seen == list(range(BATCH + 5))
    assert error is not None and "backwards" in str(error)


def test_a_valid_episode_yields_every_step_and_counts_unknown_kinds(tmp_path: Path) -> None:
    steps = [_note(t) if t % 7 else {"kind": "hologram", "t_ms": t, "source": "cli"}
             for t in range(3 * BATCH)]
    seen, error, skipped = _read(_episode(tmp_path, steps[:BATCH + 1], steps[BATCH + 1:]))
    assert error is None
    assert seen == [t for t in range(3 * BATCH) if t % 7]
    assert skipped == {"hologram": len(range(0, 3 * BATCH, 7))}
