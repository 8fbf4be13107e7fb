"""`codetape episodes` reads an episode file without building a step or loading pydantic
(collector/episode/listing.py): the full reader's figures for golden and freshly sealed episodes, and
damage as the reader's one line (issue 14)."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from typing import Any, get_args

import msgpack
import msgspec
import pytest

from collector.episode import EpisodeWriter, open_episode
from collector.episode.chunk import encode_chunk
from collector.episode.container import (
    CONSENT,
    HEADER,
    MAGIC,
    STEPS,
    TRAILER,
    TRAILER_PAYLOAD,
    compress,
    encode_frame,
)
from collector.episode.listing import Listed, list_episode
from collector.episode.shown import IMPORTED, Shown, shown_plainly
from collector.errors import EpisodeError
from collector.journal import JournalWriter
from collector.seal.journal import seal_journal
from schemas import EpisodeHeader, step_from_dict
from schemas.common import plain
from schemas.header import ImportedFrom
from tests.fixtures.make_golden import FULL_HEADER

GOLDEN = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "episodes").glob("*.ctape"))


def full_reader(path: Path) -> Listed:
    """What the full reader says: every step decoded and counted, the trailer's count checked."""
    episode = open_episode(path)
    dicts = list(episode.step_dicts())
    assert len(dicts) == episode.step_count
    return Listed(Shown.of(episode.header), len(dicts), dicts[-1]["t_ms"] if dicts else 0,
                  episode.consent is not None)


@pytest.mark.parametrize("path", GOLDEN, ids=[path.stem for path in GOLDEN])
def test_golden_episodes_list_as_the_reader_reads_them(path: Path) -> None:
    assert list_episode(path) == full_reader(path)


def test_a_freshly_sealed_episode_of_several_frames_lists_as_the_reader_reads_it(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    with JournalWriter.create(journal, episode_header) as writer:
        writer.append(step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                      "text": ""}))
        for n in range(1, 20_000):
            writer.append(step_from_dict(
                {"kind": "edit", "t_ms": n * 3, "source": "bridge", "path": "a.py", "version": n,
                 "changes": [{"range": {"start": {"line": 0, "character": n - 1},
                                        "end": {"line": 0, "character": n - 1}}, "text": "x"}]}
                if n % 5 else {"kind": "note", "t_ms": n * 3, "source": "cli", "text": f"n{n}"}))
    sealed = seal_journal(journal, tmp_path / "episodes", level=1)
    assert sealed is not None
    episode = open_episode(sealed.path)
    assert episode.chunk_count == 3 and episode.keyframe_count == 2
    assert list_episode(sealed.path) == full_reader(sealed.path) == Listed(
        Shown.of(episode_header), 20_000, 59_997, False)


def test_an_imported_header_lists_its_agent_plainly_and_through_the_model(
        episode_header: EpisodeHeader) -> None:
    """`imported`'s values, as the plain reading knows them, are the header model's (schemas.header)."""
    assert set(IMPORTED) == {None, *get_args(ImportedFrom)}
    for agent in get_args(ImportedFrom):
        header = msgspec.structs.replace(episode_header, imported=agent)
        assert shown_plainly(plain(header)) == Shown.of(header) and Shown.of(header).imported == agent
    odd = plain(episode_header) | {"imported": "emacs"}
    assert shown_plainly(odd) is None  # the model then says what is wrong


def test_a_signed_episode_lists_as_signed(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "signed.ctape"
    with open(path, "wb") as out:
        writer = EpisodeWriter(out, episode_header)
        writer.add(step_from_dict({"kind": "note", "t_ms": 5, "source": "cli", "text": "x"}))
        writer.add_frame(CONSENT, b"consent statement and signature", 0)
        writer.close()
    assert list_episode(path) == full_reader(path) == Listed(Shown.of(episode_header), 1, 5, True)


# -- damage --------------------------------------------------------------------------------------


def container(*frames: bytes, step_count: int) -> bytes:
    body = MAGIC + struct.pack(">HH", 1, 1) + b"".join(frames)
    return body + encode_frame(TRAILER, TRAILER_PAYLOAD.pack(step_count, hashlib.sha256(body).digest()))


def header_frame(**changes: Any) -> bytes:
    header = {**plain(FULL_HEADER), **changes}
    return encode_frame(HEADER, compress(msgpack.packb(header), 3))


def steps_frame(*steps: dict[str, Any]) -> bytes:
    chunk = encode_chunk([{"source": "cli", **step} for step in steps], "utf-16")
    return encode_frame(STEPS, compress(msgpack.packb(chunk, use_bin_type=True), 1))


def note(t_ms: int) -> dict[str, Any]:
    return {"kind": "note", "t_ms": t_ms, "text": "x"}


def reader_error(path: Path) -> str:
    with pytest.raises(EpisodeError) as raised:
        list(open_episode(path).steps())
    return str(raised.value)


def listing_error(path: Path) -> str:
    with pytest.raises(EpisodeError) as raised:
        list_episode(path)
    return str(raised.value)


def damaged(tmp_path: Path, name: str) -> Path:
    """A golden episode, then made `name`: a flipped byte in its steps frame, or cut short."""
    data = bytearray((GOLDEN[0].parent / "full.ctape").read_bytes())
    if name == "flipped":
        data[len(data) // 2] ^= 0x40
    else:
        del data[-20:]
    path = tmp_path / f"{name}.ctape"
    path.write_bytes(bytes(data))
    return path


HOSTILE: dict[str, tuple[list[bytes], int]] = {  # frames after the header, the trailer's step count
    "header id": ([steps_frame(note(1))], 1),
    "trailer count": ([steps_frame(note(1), note(2))], 3),
    "time backwards": ([steps_frame(note(5)), steps_frame(note(4))], 2),
    "not a chunk map": ([encode_frame(STEPS, compress(b"\x93", 1))], 1),
}


def build(tmp_path: Path, name: str) -> Path:
    if name in ("flipped", "truncated"):
        return damaged(tmp_path, name)
    frames, count = HOSTILE[name]
    head = header_frame(episode_id="nope") if name == "header id" else header_frame()
    return write(tmp_path, container(head, *frames, step_count=count))


@pytest.mark.parametrize("name", ["flipped", "truncated", *HOSTILE])
def test_damage_is_the_readers_one_line(tmp_path: Path, name: str) -> None:
    path = build(tmp_path, name)
    said = listing_error(path)
    assert "\n" not in said
    if "not a step chunk" in said:  # the outline says so in its own words, the reader as msgpack's
        where = f"steps frame at byte {12 + len(header_frame())} is not "
        assert said.startswith(where) and reader_error(path).startswith(where), (said, reader_error(path))
    else:
        assert said == reader_error(path)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "hostile.ctape"
    path.write_bytes(data)
    return path


def test_damage_inside_a_step_is_left_to_verify(tmp_path: Path) -> None:
    """What `codetape episodes --help` says: the listing does not decode the inside of a step."""
    path = write(tmp_path, container(header_frame(), steps_frame({"kind": "note", "t_ms": 1, "text": 7}),
                                     step_count=1))
    assert list_episode(path) == Listed(Shown.of(FULL_HEADER), 1, 1, False)
    assert reader_error(path).startswith("step 0 (note) is invalid: text:")
