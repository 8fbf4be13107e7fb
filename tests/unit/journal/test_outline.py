"""A journal's outline (`collector.journal.outline`, what `codetape episodes` lists a recording journal
from) agrees with the scanner's full pass whenever it answers, and leaves every torn or damaged journal
to that pass (issue 14: a 60,000-step journal listed in ~0.45 s)."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pytest

from collector.cli.commands.episodes import journal_row, scanned_journal_row
from collector.errors import JournalError
from collector.journal import JournalScanner, JournalWriter
from collector.journal.outline import outline
from schemas import EpisodeHeader
from schemas.steps import NoteStep

HEADER = msgspec.convert({"codetape_version": "0.1.0", "started_at": "2026-01-02T00:00:00Z",
                                       "episode_id": "00000000-0000-0000-0000-000000000043",
                                       "workspace": {"root_name": "outline"}}, EpisodeHeader)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[tuple[int, int]]]:
    """A journal of 60 steps written by the real writer, and each frame's (start, end)."""
    path = tmp_path_factory.mktemp("outline") / "base.journal"
    rng = random.Random(7)
    with JournalWriter.create(path, HEADER) as writer:
        for t in range(60):
            writer.append(NoteStep(t_ms=t * 10, source="cli", text="x" * rng.choice([1, 50, 2000])))
    spans = [(frame.offset, frame.offset + frame.size) for frame in JournalScanner(path).frames()]
    return path.read_bytes(), spans


def scanned(path: Path) -> list[bytes] | None:
    """Every frame's payload by the scanner, or None when it reports damage."""
    try:
        return [frame.payload for frame in JournalScanner(path).frames()]
    except JournalError:
        return None


def test_an_intact_journal_outlines_as_the_scanner_reads_it(
        tmp_path: Path, written: tuple[bytes, list[tuple[int, int]]]) -> None:
    data, spans = written
    path = tmp_path / "x.journal"
    path.write_bytes(data)
    found = outline(path)
    payloads = scanned(path)
    assert found is not None and payloads is not None
    assert (found.steps, found.header.payload, found.last.payload) == (60, payloads[0], payloads[-1])
    assert found.last.offset == spans[-1][0]
    assert journal_row(path) == scanned_journal_row(path)


def test_a_header_alone_outlines_as_no_step(tmp_path: Path) -> None:
    path = tmp_path / "h.journal"
    JournalWriter.create(path, HEADER).close()
    found = outline(path)
    assert found is not None and found.steps == 0 and found.last == found.header
    row = journal_row(path)
    assert (row.state, row.steps) == ("recording", 0) and row == scanned_journal_row(path)


def damaged(data: bytes, spans: list[tuple[int, int]], rng: random.Random) -> bytes:
    """A cut (anywhere, or at a frame's end), zeros or garbage after a cut, stale copies of frames, bit
    flips in the first or the last frame, or in a frame head's length or sequence number. (A middle
    frame's CRC or payload damaged in place is what the outline does not see: the seal names it.)"""
    kind = rng.randrange(6)
    if kind == 0:
        return data[: rng.randrange(0, len(data))]
    if kind == 1:
        return data[: rng.choice(spans)[1]]
    if kind == 2:
        return data[: rng.randrange(0, len(data))] + rng.choice([bytes(rng.randrange(1, 5000)),
                                                                 rng.randbytes(rng.randrange(1, 5000))])
    if kind == 3:
        end = rng.randrange(1, len(spans))
        return data[: spans[end][0]] + data[spans[rng.randrange(0, end)][0]: spans[end - 1][1]]
    flipped = bytearray(data)
    if kind == 4:
        start, stop = rng.choice([spans[0], spans[-1]])
        at = rng.randrange(start, stop)
    else:
        at = rng.choice(spans)[0] + rng.choice([*range(4), *range(8, 16)])
    flipped[at] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def test_damage_is_left_to_the_scanner_or_outlined_as_it_reads(
        tmp_path: Path, written: tuple[bytes, list[tuple[int, int]]]) -> None:
    data, spans = written
    rng = random.Random(2026)
    path = tmp_path / "d.journal"
    answered = 0
    for _ in range(1500):
        path.write_bytes(damaged(data, spans, rng))
        found = outline(path)
        if found is None:
            continue
        answered += 1
        payloads = scanned(path)
        assert payloads is not None, "the outline answered for a journal the scanner calls damaged"
        assert (found.steps, found.header.payload, found.last.payload) == (
            len(payloads) - 1, payloads[0], payloads[-1])
        assert journal_row(path) == scanned_journal_row(path)
    assert answered > 50  # cuts at a frame's end leave an intact, shorter journal


def test_an_empty_or_missing_journal(tmp_path: Path) -> None:
    empty = tmp_path / "e.journal"
    empty.write_bytes(b"")
    assert outline(empty) is None
    with pytest.raises(JournalError, match="cannot read journal"):
        outline(tmp_path / "missing.journal")
