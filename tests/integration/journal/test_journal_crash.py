"""A journal writer killed at random moments, or stopped by a full disk, never loses an acknowledged step.

A zygote process imports codetape once and forks one writer per trial, so trials cost milliseconds.
Each writer appends steps and, after every `append` returns, writes `ack <seq>` to the pipe it shares
with the zygote's stdout; the test reads those lines, kills the writer with SIGKILL after a random
5-80 ms, and then recovers the journal and checks it against the acknowledgements.
"""

from __future__ import annotations

import functools
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.errors import JournalError
from collector.journal import JournalScanner, JournalWriter, scan_journal
from collector.journal.frames import pack_header, pack_step
from collector.seal.journal import seal_journal
from schemas import EpisodeHeader, Step, WorkspaceIdentity, step_to_dict
from schemas.common import plain
from schemas.steps import NoteStep, OpenStep

ROOT = Path(__file__).resolve().parents[3]
TRIALS = 120
CHAIN = 3  # each journal is reopened after a crash this many times before a new one starts
HEADER = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=7),
                       started_at=datetime(2026, 1, 2, tzinfo=UTC),
                       workspace=WorkspaceIdentity(root_name="crash"))
ZYGOTE = """
import os, signal, sys, time, traceback
from tests.integration.journal.test_journal_crash import write_until_killed
for line in sys.stdin:
    journal, kill_after = line.split()
    pid = os.fork()
    if pid == 0:
        try:
            write_until_killed(journal)
        except BaseException:
            traceback.print_exc()
        os._exit(1)
    time.sleep(float(kill_after))  # the random moment of the kill is the scenario: not a wait for anything
    os.kill(pid, signal.SIGKILL)  # the child is ours and not yet reaped: this pid cannot be reused
    _, status = os.waitpid(pid, 0)
    os.write(1, b"reaped %d\\n" % (os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0))
"""


def step(seq: int) -> Step:
    """The step with sequence number `seq`: the same in every process, now and then large."""
    size = random.Random(seq).choice([8] * 6 + [60] * 4 + [400] * 3 + [3000] * 2 + [20_000, 250_000])
    if size > 3000:
        return OpenStep(t_ms=seq * 3, source="bridge", path=f"src/{seq}.py", text="x" * size)
    return NoteStep(t_ms=seq * 3, source="cli", text=f"{seq}:" + "x" * size)


@functools.cache
def payload(seq: int) -> bytes:
    """The exact payload every writer puts in frame `seq`."""
    return pack_header(plain(HEADER)) if seq == 0 else pack_step(step_to_dict(step(seq)))


def write_until_killed(path_text: str) -> None:
    """The writer process: create or reopen the journal, then append and acknowledge until killed."""
    path = Path(path_text)
    try:
        writer = JournalWriter.reopen(path)
    except JournalError:  # missing, or killed before its header was written: start it (again)
        path.unlink(missing_ok=True)
        writer = JournalWriter.create(path, HEADER)
        os.write(1, b"ack 0\n")
    seq = writer.next_seq
    while True:
        acknowledged = writer.append(step(seq))
        os.write(1, b"ack %d\n" % acknowledged)
        seq += 1


class Zygote:
    """The forking parent of every writer, and the lines its children write."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, bufsize=0)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in, self._out = self.process.stdin, self.process.stdout.fileno()
        self._pending = b""

    def lines(self, until: float) -> list[bytes]:
        """Complete lines that arrive before the monotonic deadline `until`."""
        lines: list[bytes] = []
        while (left := until - time.monotonic()) > 0:
            if not select.select([self._out], [], [], left)[0]:
                break
            chunk = os.read(self._out, 65536)
            assert chunk, "the zygote died"
            *done, self._pending = (self._pending + chunk).split(b"\n")
            lines += done
            if done:
                return lines
        return lines

    def trial(self, journal: Path, kill_after: float) -> list[int]:
        """A writer on `journal`, SIGKILLed after `kill_after` seconds; the seqs it acknowledged."""
        self._in.write(f"{journal} {kill_after:.4f}\n".encode())
        acks: list[int] = []
        deadline = time.monotonic() + 30
        while True:
            assert time.monotonic() < deadline, "a trial hung"
            for line in self.lines(deadline):
                word, number = line.split()
                if word == b"ack":
                    acks.append(int(number))
                else:
                    assert int(number) == signal.SIGKILL, "the writer died before it was killed"
                    return acks

    def close(self) -> None:
        self._in.close()
        self.process.wait(timeout=10)


def check_recovered(journal: Path, acked: set[int], scratch: Path, *, read_back: bool,
                    before: int = 0) -> tuple[int, int]:
    """Every acknowledged frame is there, byte for byte, and the journal seals; (frames, torn bytes).

    `before`: the frames the journal held when this trial's writer reopened it. A writer killed between an
    append and its acknowledgement leaves one frame nobody acknowledged, beyond its last acknowledged one
    or, when it acknowledged none, beyond what it found (the previous trial may have left one too)."""
    if not journal.exists():
        assert not acked
        return 0, 0
    scanner = JournalScanner(journal)
    for seq, frame in enumerate(scanner.frames()):  # JournalCorrupt here would fail the test
        assert frame.seq == seq and frame.payload == payload(seq), f"frame {seq} is not what was written"
    result = scanner.result
    assert result is not None
    assert max(acked, default=-1) < result.good_frames <= max(max(acked, default=-1), before - 1) + 2
    copy = scratch / "sealed.journal"
    shutil.copyfile(journal, copy)
    sealed = seal_journal(copy, scratch / "episodes", level=1)
    assert (sealed.steps if sealed else 0) == max(result.good_frames - 1, 0)
    if sealed is not None and read_back:
        steps = list(open_episode(sealed.path).steps())
        assert [s.t_ms for s in steps] == [seq * 3 for seq in range(1, result.good_frames)]
    return result.good_frames, result.torn_bytes


@pytest.mark.eval
def test_sigkill_at_random_moments_loses_no_acknowledged_step(tmp_path: Path) -> None:
    rng = random.Random(20260102)
    zygote = Zygote()
    started = time.monotonic()
    acked: set[int] = set()
    totals = {"acked": 0, "torn": 0, "empty": 0}
    frames = 0
    try:
        for trial in range(TRIALS):
            journal = tmp_path / f"s{trial // CHAIN}.journal"
            if trial % CHAIN == 0:
                acked, frames = set(), 0
            new = zygote.trial(journal, rng.uniform(0.005, 0.080))
            acked.update(new)
            frames, torn = check_recovered(journal, acked, tmp_path, read_back=trial % 10 == 0, before=frames)
            totals["acked"] += len(new)
            totals["torn"] += torn > 0
            totals["empty"] += frames == 0
    finally:
        zygote.close()
    elapsed = time.monotonic() - started
    print(f"{TRIALS} kills in {elapsed:.1f} s: {totals['acked']} acknowledged steps, 0 lost; "
          f"{totals['torn']} torn tails, {totals['empty']} journals without a header")
    assert totals["acked"] > TRIALS


def fill_until_full(path_text: str, limit: int) -> None:
    """Child of the full-disk test: a file size limit makes the kernel refuse writes with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    writer = JournalWriter.create(Path(path_text), HEADER)
    print("ack 0", flush=True)
    seq, failures = 1, 0
    while failures < 3:
        try:
            print(f"ack {writer.append(step(seq) if failures == 0 else step_small(seq))}", flush=True)
            seq += 1
        except JournalError as exc:
            print(f"error {exc}", flush=True)
            failures += 1
    writer.close()


def step_small(seq: int) -> NoteStep:
    return NoteStep(t_ms=seq * 3, source="cli", text=f"{seq}:")


def test_a_full_disk_is_reported_and_truncated_and_loses_nothing(tmp_path: Path) -> None:
    journal = tmp_path / "full.journal"
    limit = 300_000
    script = ("import sys; from tests.integration.journal.test_journal_crash import fill_until_full; "
              "fill_until_full(sys.argv[1], int(sys.argv[2]))")
    done = subprocess.run([sys.executable, "-c", script, str(journal), str(limit)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    acked = [int(line.split()[1]) for line in lines if line.startswith("ack ")]
    errors = [line[len("error "):] for line in lines if line.startswith("error ")]
    assert len(errors) == 3 and acked == list(range(len(acked))) and len(acked) > 5
    for error in errors:
        assert error.startswith(f"cannot write journal {journal}: File too large;")
    size = journal.stat().st_size
    assert size <= limit
    frames = list(JournalScanner(journal).frames())
    assert scan_journal(journal).torn_bytes == 0 and len(frames) == len(acked)
    assert frames[-1].offset + frames[-1].size == size
    with JournalWriter.reopen(journal) as writer:  # room again: the same journal carries on
        assert writer.append(step_small(len(acked))) == len(acked)
    sealed = seal_journal(journal, tmp_path / "episodes", level=1)
    assert sealed is not None and sealed.steps == len(acked)
    steps = list(open_episode(sealed.path).steps())
    assert [s.t_ms for s in steps] == [seq * 3 for seq in range(1, len(acked) + 1)]
