from __future__ import annotations

import os
import random
import time
import tracemalloc
from pathlib import Path

import pytest

from collector.errors import JournalCorrupt, JournalError
from collector.journal import JournalScanner, encode_frame, scan_journal
from collector.journal.frames import pack_header, pack_step
from collector.journal.recovery import WINDOW


def build(count: int, size: int = 40) -> tuple[bytes, list[int]]:
    """A journal of `count` frames (header first) and the offset where each frame starts."""
    frames = [encode_frame(0, pack_header({"episode": "x"}))]
    frames += [encode_frame(seq, pack_step({"kind": "note", "t_ms": seq, "source": "cli",
                                            "text": f"{seq}:" + "n" * size})) for seq in range(1, count)]
    offsets = [sum(len(frame) for frame in frames[:index]) for index in range(len(frames))]
    return b"".join(frames), offsets


def read_all(path: Path) -> tuple[list[int], JournalScanner]:
    scanner = JournalScanner(path)
    return [frame.seq for frame in scanner.frames()], scanner


def test_a_clean_journal_reads_whole(tmp_path: Path) -> None:
    data, _ = build(12)
    path = tmp_path / "j"
    path.write_bytes(data)
    seqs, scanner = read_all(path)
    assert seqs == list(range(12))
    result = scanner.result
    assert result is not None
    assert (result.good_frames, result.good_end, result.torn_bytes) == (12, len(data), 0)


TAILS = {
    "cut inside a head": lambda data, last: data[: last + 9],
    "cut inside a payload": lambda data, last: data[:-3],
    "zero-filled tail": lambda data, last: data + bytes(4096),
    "zeros over the last frame": lambda data, last: data[:last] + bytes(len(data) - last + 100),
    "garbage tail": lambda data, last: data + random.Random(5).randbytes(3000),
    "a stale copy of an earlier frame": lambda data, last: data + data[: last // 4],
    "a bit flip in the last frame": lambda data, last: data[:-5] + bytes([data[-5] ^ 0x10]) + data[-4:],
}


@pytest.mark.parametrize("name", sorted(TAILS))
def test_a_torn_tail_is_reported_not_read_and_left_alone(tmp_path: Path, name: str) -> None:
    data, offsets = build(10)
    last = offsets[-1]
    damaged = TAILS[name](data, last)
    path = tmp_path / "j"
    path.write_bytes(damaged)
    keeps_last = damaged[: len(data)] == data
    seqs, scanner = read_all(path)
    good = 10 if keeps_last else 9
    assert seqs == list(range(good))
    assert scanner.result is not None
    assert scanner.result.good_end == (len(data) if keeps_last else last)
    assert scanner.result.torn_bytes == len(damaged) - scanner.result.good_end > 0
    assert path.read_bytes() == damaged


def test_damage_in_the_middle_raises_after_the_good_prefix(tmp_path: Path) -> None:
    data, offsets = build(10)
    damaged = bytearray(data)
    damaged[offsets[4] + 20] ^= 0x40
    path = tmp_path / "j"
    path.write_bytes(damaged)
    scanner = JournalScanner(path)
    seen: list[int] = []
    with pytest.raises(JournalCorrupt) as error:
        for frame in scanner.frames():
            seen.append(frame.seq)
    assert seen == [0, 1, 2, 3]
    assert (error.value.offset, error.value.good_frames, error.value.frames_after) == (offsets[4], 4, 5)
    assert f"damaged at byte {offsets[4]}" in str(error.value) and str(path) in str(error.value)
    assert scanner.result is not None and scanner.result.damage is not None
    assert scanner.result.damage.last_seq_after == 9


def test_every_hole_is_counted_and_the_first_one_named(tmp_path: Path) -> None:
    data, offsets = build(20)
    damaged = bytearray(data)
    for seq in (3, 4, 11):
        damaged[offsets[seq] + 2] ^= 0x01  # the length, so even the frame's end is lost
    damaged += bytes(500)
    path = tmp_path / "j"
    path.write_bytes(damaged)
    with pytest.raises(JournalCorrupt) as error:
        scan_journal(path)
    assert (error.value.offset, error.value.good_frames, error.value.frames_after) == (offsets[3], 3, 14)


def test_a_skipped_sequence_number_is_damage(tmp_path: Path) -> None:
    data, _ = build(4)
    path = tmp_path / "j"
    path.write_bytes(data + encode_frame(5, pack_step({"kind": "note"})))
    with pytest.raises(JournalCorrupt) as error:
        scan_journal(path)
    assert (error.value.offset, error.value.good_frames, error.value.frames_after) == (len(data), 4, 1)


def test_a_damaged_header_with_frames_after_it_is_damage(tmp_path: Path) -> None:
    data, _ = build(5)
    path = tmp_path / "j"
    path.write_bytes(b"\xff" + data[1:])
    with pytest.raises(JournalCorrupt) as error:
        scan_journal(path)
    assert (error.value.offset, error.value.good_frames, error.value.frames_after) == (0, 0, 4)


def test_an_empty_journal_has_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(b"")
    assert scan_journal(path).good_frames == 0


def test_a_missing_journal_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match=r"cannot read journal .*missing: No such file"):
        scan_journal(tmp_path / "missing")


def test_reading_is_streaming_and_garbage_is_skipped_fast(tmp_path: Path) -> None:
    frame_text = 256 * 1024
    data, offsets = build(64, size=frame_text)
    path = tmp_path / "j"
    with open(path, "wb") as out:
        out.write(data[: offsets[-1] + 30])  # the last frame is torn, then 6 MiB of garbage follow
        out.write(bytes(2 * 1024 * 1024))
        out.write(random.Random(1).randbytes(4 * 1024 * 1024))
    del data
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = scan_journal(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert result.good_frames == 63 and result.damage is None
    assert result.torn_bytes == os.path.getsize(path) - offsets[-1]
    # bounded by two 1 MiB search windows and one frame, not by the 22 MB file
    assert peak < 4 * 1024 * 1024, f"scanning a {os.path.getsize(path)}-byte journal peaked at {peak} bytes"
    assert elapsed < 10, f"scanning took {elapsed:.1f} s"


@pytest.mark.parametrize("delta", [-40, -17, -16, -15, -3, -1, 0, 1, 3, 16])
def test_frames_after_a_long_zero_run_are_found_across_search_windows(tmp_path: Path, delta: int) -> None:
    data, offsets = build(6)
    after = data[offsets[4] :]  # frames 4 and 5, whose lengths start with zero bytes
    path = tmp_path / "j"  # frame 3 is zeroed, and frame 4 starts WINDOW + delta bytes after it started
    path.write_bytes(data[: offsets[3]] + bytes(WINDOW + delta) + after)
    with pytest.raises(JournalCorrupt) as error:
        scan_journal(path)
    assert (error.value.offset, error.value.good_frames, error.value.frames_after) == (offsets[3], 3, 2)
