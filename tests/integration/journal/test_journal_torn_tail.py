"""Fuzzing recovery with seeded damage: torn tails are cut exactly, damage in the middle is reported.

Every case starts from the same journal written by the real writer and damages a copy. What must come
back is decided independently of the reader: the frames whose bytes are untouched. A false accept (a
frame that was never written, or a frame lost before the damage point) fails the case.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from collector.errors import JournalCorrupt, JournalError
from collector.journal import JournalScanner, JournalWriter, scan_journal
from schemas import EpisodeHeader
from schemas.steps import NoteStep

TORN_CASES = 2400
MIDDLE_CASES = 600
ALPHABET = "abcdefghij \n\t{}()=+-_éß😀中"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[tuple[int, int]]]:
    """The undamaged journal and each frame's (start, end)."""
    header = msgspec.convert({"codetape_version": "0.1.0", "started_at": "2026-01-02T00:00:00Z",
                                           "episode_id": "00000000-0000-0000-0000-000000000042",
                                           "workspace": {"root_name": "fuzz"}}, EpisodeHeader)
    path = tmp_path_factory.mktemp("fuzz") / "base.journal"
    rng = random.Random(42)
    with JournalWriter.create(path, header) as writer:
        for t in range(40):
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.choice([1, 10, 100, 1000, 3000])))
            writer.append(NoteStep(t_ms=t, source="cli", text=text))
    spans = [(frame.offset, frame.offset + frame.size) for frame in JournalScanner(path).frames()]
    return path.read_bytes(), spans


Damage = Callable[[bytes, list[tuple[int, int]], random.Random], bytes]


def cut(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    return data[: rng.randrange(0, len(data))]


def zeros_after_a_cut(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    return cut(data, spans, rng) + bytes(rng.randrange(1, 65536))


def zeros_over_the_end(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    at = rng.randrange(spans[-4][0], len(data))  # blocks that never reached the disk read back as zeros
    return data[:at] + bytes(len(data) - at + rng.choice([0, 0, 512, 4096]))


def garbage_after_a_cut(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    return data[: rng.randrange(spans[-6][0], len(data))] + rng.randbytes(rng.randrange(1, 20_000))


def stale_frames_after_a_cut(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    """Whole, CRC-valid copies of earlier frames after the cut: their sequence numbers give them away."""
    end = rng.randrange(1, len(spans))
    first = rng.randrange(0, end)
    return data[: spans[end][0] + rng.randrange(0, 20)] + data[spans[first][0] : spans[end - 1][1]]


def bit_flips_in_the_last_frame(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        damaged[rng.randrange(spans[-1][0], len(data))] ^= 1 << rng.randrange(8)
    return bytes(damaged)


TORN: list[Damage] = [cut, zeros_after_a_cut, zeros_over_the_end, garbage_after_a_cut,
                      stale_frames_after_a_cut, bit_flips_in_the_last_frame]


def intact(data: bytes, damaged: bytes, spans: list[tuple[int, int]]) -> list[bool]:
    return [damaged[start:end] == data[start:end] for start, end in spans]


def write_fresh(path: Path, data: bytes) -> None:
    """A new file each case: rewriting a truncated one makes ext4 flush it on close (auto_da_alloc)."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def recovered(path: Path) -> tuple[list[tuple[int, bytes]], JournalScanner]:
    scanner = JournalScanner(path)
    return [(frame.offset, frame.payload) for frame in scanner.frames()], scanner


@pytest.mark.eval
def test_torn_tails_give_back_exactly_the_frames_before_the_damage(
        tmp_path: Path, original: tuple[bytes, list[tuple[int, int]]]) -> None:
    data, spans = original
    path = tmp_path / "case.journal"
    seen: set[str] = set()
    for case in range(TORN_CASES):
        rng = random.Random(case)
        damage = TORN[case % len(TORN)]
        damaged = damage(data, spans, rng)
        good = intact(data, damaged, spans)
        keep = good.index(False) if False in good else len(spans)
        write_fresh(path, damaged)
        frames, scanner = recovered(path)
        where = f"case {case} ({damage.__name__})"
        assert frames == [(start, data[start + 16 : end]) for start, end in spans[:keep]], where
        result = scanner.result
        assert result is not None
        good_end = spans[keep - 1][1] if keep else 0
        assert (result.good_end, result.torn_bytes) == (good_end, len(damaged) - good_end), where
        assert path.read_bytes() == damaged, where
        seen.add(f"{damage.__name__}:{'torn' if len(damaged) > good_end else 'clean'}")
        if case % 12 < 2:
            reopen_and_append(path, keep, good_end)
    assert {f"{damage.__name__}:torn" for damage in TORN} <= seen


def reopen_and_append(path: Path, keep: int, good_end: int) -> None:
    if keep == 0:
        with pytest.raises(JournalError, match="no header frame"):
            JournalWriter.reopen(path)
        return
    with JournalWriter.reopen(path, interval=0.01) as writer:
        assert path.stat().st_size == good_end
        assert writer.append(NoteStep(t_ms=100, source="cli", text="after")) == keep
    assert scan_journal(path).good_frames == keep + 1


def middle_damage(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    damaged = bytearray(data)
    if rng.random() < 0.5:
        start, end = spans[rng.randrange(0, len(spans) - 1)]
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
    else:
        at = rng.randrange(0, spans[-2][1])  # a zeroed or overwritten block, some frames still after it
        size = min(rng.choice([16, 512, 4096]), spans[-1][0] - at)
        damaged[at : at + size] = bytes(size) if rng.random() < 0.5 else rng.randbytes(size)
    return bytes(damaged)


@pytest.mark.eval
def test_damage_in_the_middle_is_always_reported_never_skipped(
        tmp_path: Path, original: tuple[bytes, list[tuple[int, int]]]) -> None:
    data, spans = original
    path = tmp_path / "case.journal"
    for case in range(MIDDLE_CASES):
        damaged = middle_damage(data, spans, random.Random(10_000 + case))
        good = intact(data, damaged, spans)
        if all(good):
            continue  # the bytes changed happened to be zeros already
        first_bad = good.index(False)
        write_fresh(path, damaged)
        scanner = JournalScanner(path)
        frames: list[tuple[int, bytes]] = []
        with pytest.raises(JournalCorrupt) as error:
            for frame in scanner.frames():
                frames.append((frame.offset, frame.payload))
        where = f"case {case}"
        assert frames == [(start, data[start + 16 : end]) for start, end in spans[:first_bad]], where
        after = sum(good[first_bad:])
        assert (error.value.offset, error.value.good_frames, error.value.frames_after) == \
            (spans[first_bad][0], first_bad, after), where
