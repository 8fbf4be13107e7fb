from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from collector.errors import JournalCorrupt, JournalError
from collector.journal import JournalScanner, JournalWriter, scan_journal, unpack_header, unpack_payload
from schemas import EpisodeHeader, step_to_dict
from schemas.common import plain
from schemas.steps import EditStep, NoteStep, OpenStep
from tests.structs import make
from tests.waiting import TIMEOUT_S

WriteFn = Callable[[int, bytes | memoryview], int]


def note(t_ms: int, text: str = "n") -> NoteStep:
    return NoteStep(t_ms=t_ms, source="cli", text=text)


def payloads(path: Path) -> list[dict[str, object]]:
    return [unpack_payload(frame) for frame in JournalScanner(path).frames()]


def test_a_new_journal_is_private_and_starts_with_its_header(tmp_path: Path,
                                                             episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header) as writer:
        assert writer.next_seq == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = next(JournalScanner(path).frames())
    assert first.seq == 0
    assert unpack_header(first) == plain(episode_header)


def test_steps_get_contiguous_seqs_in_their_plain_form(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    steps = [OpenStep(t_ms=0, source="bridge", path="a.py", text="x = 1\n"), note(5, "é😀"),
             make(EditStep, {"t_ms": 5, "source": "bridge", "path": "a.py",
                                      "changes": [{"text": "y"}]})]
    with JournalWriter.create(path, episode_header) as writer:
        assert [writer.append(step) for step in steps] == [1, 2, 3]
    assert payloads(path)[1:] == [step_to_dict(step) for step in steps]


def test_each_frame_is_one_write(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    sizes: list[int] = []

    def write(fd: int, data: bytes | memoryview) -> int:
        sizes.append(len(data))
        return os.write(fd, data)

    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header, write=write) as writer:
        for t in range(50):
            writer.append(note(t, "x" * t * 100))
    frames = list(JournalScanner(path).frames())
    assert sizes == [frame.size for frame in frames]


def test_a_slow_fsync_never_delays_append(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    """An fsync that does not return until the test lets it (a disk as slow as can be): appends go on."""
    syncing, release = threading.Event(), threading.Event()
    fsyncs: list[int] = []

    def stuck_fsync(fd: int) -> None:
        syncing.set()
        assert release.wait(TIMEOUT_S), "the test never released the fsync"
        os.fsync(fd)
        fsyncs.append(fd)

    path = tmp_path / "s.journal"
    writer = JournalWriter.create(path, episode_header, fsync=stuck_fsync, interval=0.02)
    try:
        writer.append(note(0, "x" * 2000))
        assert syncing.wait(TIMEOUT_S), "the group commit never started an fsync"
        latencies = []
        for t in range(1, 300):  # all of them while that fsync is under way
            before = time.perf_counter()
            seq = writer.append(note(t, "x" * 2000))
            latencies.append(time.perf_counter() - before)
        assert writer.durable_seq < seq  # the appends were acknowledged before they were durable
        assert max(latencies) < 0.1, f"an append took {max(latencies) * 1000:.0f} ms"
    finally:
        release.set()
    assert writer.wait_durable(seq, timeout=TIMEOUT_S)
    assert fsyncs
    writer.close()


def test_group_commit_batches_many_appends_into_few_fsyncs(tmp_path: Path,
                                                           episode_header: EpisodeHeader) -> None:
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        os.fsync(fd)

    with JournalWriter.create(tmp_path / "s.journal", episode_header, fsync=fsync, interval=0.05) as writer:
        for t in range(3000):
            writer.append(note(t))
        assert writer.wait_durable(3000, timeout=5)
    assert 1 <= len(calls) < 100


def test_wait_durable_times_out_while_fsync_is_stuck(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    release = threading.Event()

    def stuck_fsync(fd: int) -> None:
        release.wait()
        os.fsync(fd)

    writer = JournalWriter.create(tmp_path / "s.journal", episode_header, fsync=stuck_fsync, interval=0.01)
    seq = writer.append(note(1))
    assert writer.wait_durable(seq, timeout=0.1) is False
    release.set()
    assert writer.wait_durable(seq, timeout=5) is True
    writer.close()
    with pytest.raises(JournalError, match="no frame 9"):
        writer.wait_durable(9, timeout=0)


def test_close_makes_everything_durable(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    synced: list[int] = []

    def fsync(fd: int) -> None:
        os.fsync(fd)
        synced.append(fd)

    writer = JournalWriter.create(tmp_path / "s.journal", episode_header, fsync=fsync, interval=0.1)
    seq = writer.append(note(1))
    writer.close()
    assert writer.durable_seq == seq and synced
    writer.close()
    with pytest.raises(JournalError, match="is closed"):
        writer.append(note(2))


def test_a_failed_fsync_stops_the_journal(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    # The fsync fails only once the journal exists: the commit thread's first round (the directory's
    # fsync) runs beside create(), and failing it there made create() itself raise when the thread won.
    failing = threading.Event()

    def failing_fsync(fd: int) -> None:
        if failing.is_set():
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        os.fsync(fd)

    writer = JournalWriter.create(tmp_path / "s.journal", episode_header, fsync=failing_fsync, interval=0.01)
    failing.set()
    seq = writer.append(note(1))
    with pytest.raises(JournalError, match=r"cannot fsync journal .*s\.journal: Input/output error"):
        writer.wait_durable(seq, timeout=TIMEOUT_S)
    with pytest.raises(JournalError, match="cannot fsync"):
        writer.append(note(2))
    with pytest.raises(JournalError, match="cannot fsync"):
        writer.close()


def flaky_write(fail_on: int, code: int, partial: int | None) -> WriteFn:
    """os.write that, on call `fail_on`, writes `partial` bytes (or nothing) and then fails with `code`."""
    calls = [0]

    def write(fd: int, data: bytes | memoryview) -> int:
        calls[0] += 1
        if calls[0] == fail_on and partial is not None:
            return os.write(fd, data[:partial])
        if calls[0] == fail_on + (partial is not None):
            raise OSError(code, os.strerror(code))
        return os.write(fd, data)

    return write


@pytest.mark.parametrize(("code", "partial"), [(errno.EIO, None), (errno.ENOSPC, 7), (errno.EFBIG, 700)])
def test_a_failed_write_is_cut_away_and_nothing_acknowledged_is_lost(
        tmp_path: Path, episode_header: EpisodeHeader, code: int, partial: int | None) -> None:
    path = tmp_path / "s.journal"
    writer = JournalWriter.create(path, episode_header, write=flaky_write(7, code, partial))
    acknowledged = [writer.append(note(t, "x" * 1000)) for t in range(5)]
    size = path.stat().st_size
    with pytest.raises(JournalError) as error:
        writer.append(note(5, "y" * 1000))
    message = str(error.value)
    assert str(path) in message and os.strerror(code) in message and "\n" not in message
    assert message.endswith("cut back to its 6 good frames, so nothing acknowledged was lost")
    assert path.stat().st_size == size
    assert writer.append(note(6, "z")) == 6  # the failed frame's seq was never acknowledged
    writer.close()
    assert acknowledged == [1, 2, 3, 4, 5]
    assert [p.get("text", "")[:1] for p in payloads(path)[1:]] == ["x"] * 5 + ["z"]
    assert scan_journal(path).torn_bytes == 0


def test_time_never_goes_back(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header) as writer:
        writer.append(note(10))
        with pytest.raises(JournalError, match="step at 9 ms comes after one at 10 ms"):
            writer.append(note(9))
    with JournalWriter.reopen(path) as writer, pytest.raises(JournalError, match="comes after"):
        writer.append(note(3))
    assert len(payloads(path)) == 2


def test_a_journal_has_one_writer(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header):
        with pytest.raises(JournalError, match="in use by another writer"):
            JournalWriter.reopen(path, lock_wait=0.1)
        with pytest.raises(JournalError, match="already exists"):
            JournalWriter.create(path, episode_header)
    JournalWriter.reopen(path).close()


def test_reopening_cuts_the_torn_tail_and_continues(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header) as writer:
        for t in range(3):
            writer.append(note(t))
    good = path.stat().st_size
    with open(path, "ab") as out:
        out.write(b"\x00\x00\x01\x00garbage" + bytes(300))
    synced: list[int] = []
    with JournalWriter.reopen(path, fsync=lambda fd: synced.append(os.fstat(fd).st_size)) as writer:
        assert synced[0] == good  # what the crashed writer left is made durable before anything else
        assert writer.durable_seq == 3 and writer.next_seq == 4 and writer.header == episode_header
        assert writer.append(note(3, "after")) == 4
    assert [p.get("text") for p in payloads(path)] == [None, "n", "n", "n", "after"]
    assert scan_journal(path).torn_bytes == 0


def test_reopening_refuses_damage_in_the_middle(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header) as writer:
        for t in range(5):
            writer.append(note(t, "text"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(data)
    with pytest.raises(JournalCorrupt):
        JournalWriter.reopen(path)
    assert path.read_bytes() == data


def test_reopening_a_journal_without_a_header_says_so(tmp_path: Path) -> None:
    path = tmp_path / "s.journal"
    path.write_bytes(b"\x00\x00\x00")
    with pytest.raises(JournalError, match="no header frame"):
        JournalWriter.reopen(path)
    with pytest.raises(JournalError, match="cannot open journal"):
        JournalWriter.reopen(tmp_path / "missing.journal")


def test_the_commit_interval_is_at_most_100_ms(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    with pytest.raises(JournalError, match=r"at most 0\.1 s"):
        JournalWriter.create(tmp_path / "s.journal", episode_header, interval=0.5)
    assert not (tmp_path / "s.journal").exists()


def test_threads_appending_at_once_get_one_seq_each(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    seqs: list[int] = []
    with JournalWriter.create(path, episode_header) as writer:
        def work(name: str) -> None:
            for _ in range(300):
                seqs.append(writer.append(note(0, name)))

        threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(seqs) == list(range(1, 1201))
    assert scan_journal(path).good_frames == 1201


def test_a_batch_is_one_write_of_the_frames_one_append_each_would_write(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [OpenStep(t_ms=0, source="bridge", path="a.py", text="x = 1\n"), note(5, "é😀"),
             *(note(6 + t, "x" * t) for t in range(20))]
    one_by_one, batched = tmp_path / "one.journal", tmp_path / "batch.journal"
    with JournalWriter.create(one_by_one, episode_header) as writer:
        for step in steps:
            writer.append(step)
    sizes: list[int] = []

    def write(fd: int, data: bytes | memoryview) -> int:
        sizes.append(len(data))
        return os.write(fd, data)

    with JournalWriter.create(batched, episode_header, write=write) as writer:
        assert writer.append_many([]) == -1
        assert writer.append_many(steps) == len(steps)
        assert writer.append_many(steps[-1:]) == len(steps) + 1
        assert writer.next_seq == len(steps) + 2
    assert batched.read_bytes()[:one_by_one.stat().st_size] == one_by_one.read_bytes()
    assert len(sizes) == 3  # the header, the batch, the last step
    assert payloads(batched)[1:] == [step_to_dict(step) for step in [*steps, steps[-1]]]


def size_limit(limit: int) -> WriteFn:
    """os.write on a file that may not grow past `limit` bytes (as RLIMIT_FSIZE): short, then EFBIG."""
    def write(fd: int, data: bytes | memoryview) -> int:
        room = limit - os.fstat(fd).st_size
        if room <= 0:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        return os.write(fd, data[:room])

    return write


def test_a_failed_batch_keeps_every_frame_before_the_failing_one(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header) as probe:
        probe.append(note(0, "x" * 1000))
    header_end = next(JournalScanner(path).frames()).size
    frame = path.stat().st_size - header_end
    path.unlink()
    writer = JournalWriter.create(path, episode_header, write=size_limit(header_end + 4 * frame + frame // 2))
    with pytest.raises(JournalError, match="cut back to its 5 good frames, so nothing acknowledged"):
        writer.append_many([note(t, "x" * 1000) for t in range(10)])
    assert writer.next_seq == 5 and path.stat().st_size == header_end + 4 * frame
    writer.close()
    assert len(payloads(path)) == 5
    assert scan_journal(path).torn_bytes == 0


def test_a_batch_going_back_in_time_writes_what_came_before(tmp_path: Path,
                                                            episode_header: EpisodeHeader) -> None:
    path = tmp_path / "s.journal"
    with JournalWriter.create(path, episode_header) as writer:
        with pytest.raises(JournalError, match="step at 9 ms comes after one at 10 ms"):
            writer.append_many([note(3), note(10), note(9), note(11)])
        assert writer.append_many([note(10)]) == 3
    assert [p["t_ms"] for p in payloads(path)[1:]] == [3, 10, 10]
