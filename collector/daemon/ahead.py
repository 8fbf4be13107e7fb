"""Sealing ahead from the daemon's side: one `collector.seal.ahead` process per long open episode.

The idle loop calls `follow` for every session a few times a second. Once an episode has
AHEAD_AFTER_STEPS steps, a process is started that seals its journal while it is recorded; each later
call tells it how far the journal holds whole frames (one short line, never waited for: a full pipe
just skips a word, the next one says more). While steps come faster than BURST_RATE (a benchmark, a
replay, a bulk change; never typing) no process is started and none is told more, so it takes no CPU
from the ingest when the ingest needs it all; it catches up after the burst. At the seal, `finish` (in
the seal's worker thread, after the journal was closed) asks it for the rest and returns its SealResult,
then removes the journal; None means there is no such process or it could not vouch for its episode (it
died, met damage, the allow-list changed, it did not finish: see `Patience`): one log line says why, its
temporary files are removed, and the caller seals from the journal as it always did. A journal whose
header was rewritten gets a new process. `stop_all` ends every process left (the daemon stopping);
their temporary files are removed too. A collector that ends without stopping (SIGKILL, a crash) takes
them with it: each stops and removes its own (collector.seal.ahead). On Linux the kernel tells a process
when the thread that started it ends, so they are started only from the event loop's thread (`follow`).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.daemon.session import Session
from collector.journal import JournalWriter
from collector.platform.process import cpu_seconds, set_blocking
from collector.protocol.spawn import python_command
from collector.seal.journal import SealResult, remove_journal

log = logging.getLogger("codetape.collector")
AHEAD_AFTER_STEPS = 1000  # shorter episodes seal fast enough from the journal
# The CPU time the process may use to finish before the seal gives up on it and seals from the journal: a
# whole seal from scratch takes about 1 s per MiB of journal on a loaded 2-core machine (60,000 steps:
# 11 MiB, 4-11 s of wall clock, less of CPU), and the process never has more than that left; a process
# that needs more is stuck, not slow. CPU time, not wall clock: the process is niced, and on a busy
# machine a healthy one waits for the CPU far longer than it uses it.
FINISH_FLOOR_S, FINISH_S_PER_MIB = 10.0, 3.0
STUCK_S = 10.0  # wall clock without any CPU used: stuck (stopped, deadlocked); even a niced process
# starved by a loaded machine gets some every second
WALL_TIMES = 10.0  # the wall clock's bound, in `finish_timeout`s: for a process that trickles CPU forever
POLL_S = 0.5  # how often `finish` reads the process's CPU time while it waits
BURST_RATE = 2500.0  # steps/s between two calls of `follow` above which the process waits


@dataclass
class _Ahead:
    proc: subprocess.Popen[bytes]
    writer: JournalWriter  # the journal's writer it was started for (a header rewrite makes a new one)
    told: int = 0

    def tell(self, end: int) -> None:
        if end <= self.told or self.proc.stdin is None:
            return
        try:
            os.write(self.proc.stdin.fileno(), b"%d\n" % end)
        except BlockingIOError:
            return  # it is behind; the next word says more
        except OSError:
            return  # it is gone; `finish` says why
        self.told = end


class SealAhead:
    """The seal-ahead processes of the open episodes, by journal path."""

    def __init__(self, episodes: Path) -> None:
        self.episodes = episodes
        self._running: dict[Path, _Ahead] = {}
        self._refused: set[Path] = set()
        self._seen: dict[Path, tuple[int, float]] = {}  # steps and time at the last `follow`, by journal
        self._lock = threading.Lock()  # `follow` runs in the event loop, `finish` in a seal's thread

    def follow(self, session: Session) -> None:
        """Start or tell the process of the session's open episode (from the event loop's thread)."""
        progress = session.journal_progress()
        if progress is None:
            return
        writer, end, steps = progress
        now = time.monotonic()
        with self._lock:
            before, then = self._seen.get(writer.path, (0, now))
            self._seen[writer.path] = (steps, now)
            if steps - before > BURST_RATE * max(now - then, 0.05):
                return  # a burst: the ingest gets the CPU
            ahead = self._running.get(writer.path)
            if ahead is not None and ahead.writer is not writer:
                self._stop(writer.path, "its journal's header was rewritten")
                ahead = None
            if ahead is None:
                if steps < AHEAD_AFTER_STEPS or writer.path in self._refused:
                    return
                ahead = self._start(writer, session.root)
                if ahead is None:
                    return
            ahead.tell(end)

    def _start(self, writer: JournalWriter, root: Path) -> _Ahead | None:
        try:
            proc = subprocess.Popen(ahead_command(writer.path, self.episodes, root), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, bufsize=0)
        except OSError as exc:
            self._refused.add(writer.path)
            log.warning("%s: cannot seal ahead (%s); it will be sealed from its journal", root, exc.strerror)
            return None
        assert proc.stdin is not None
        set_blocking(proc.stdin.fileno(), False)
        ahead = _Ahead(proc, writer)
        self._running[writer.path] = ahead
        log.info("%s: sealing episode %s ahead (process %d)", root, writer.path.stem, proc.pid)
        return ahead

    def finish(self, journal: Path) -> SealResult | None:
        """The episode the process sealed from the closed `journal` (journal removed); None: seal it from
        the journal (no process, or it could not vouch for its episode: logged)."""
        with self._lock:
            ahead = self._running.pop(journal, None)
            self._refused.discard(journal)
            self._seen.pop(journal, None)
        if ahead is None:
            return None
        assert ahead.proc.stdin is not None
        set_blocking(ahead.proc.stdin.fileno(), True)
        patience = Patience(finish_timeout(journal), time.monotonic(), cpu_seconds(ahead.proc.pid))
        order: bytes | None = b"finish\n"
        while True:
            try:
                out, _ = ahead.proc.communicate(order, timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                order = None  # sent; a later call reads on, losing nothing
                why = patience.given_up(time.monotonic(), cpu_seconds(ahead.proc.pid))
                if why is not None:
                    self._end(ahead, journal)
                    return self._fall_back(journal, why)
        reply = _reply(out)
        if ahead.proc.returncode != 0 or not isinstance(reply.get("path"), str):
            self._clean(ahead, journal)
            why = reply.get("error") or f"it exited with status {ahead.proc.returncode}"
            return self._fall_back(journal, str(why))
        remove_journal(journal)
        log.info("%s: sealed ahead", journal.stem)
        return SealResult(Path(reply["path"]), str(reply["episode_id"]), int(reply["steps"]),
                          int(reply["files"]))

    def stop_all(self) -> None:
        """End every process left; their temporary files go."""
        with self._lock:
            for journal in list(self._running):
                self._stop(journal, "the collector is stopping")

    def _stop(self, journal: Path, why: str) -> None:
        ahead = self._running.pop(journal)
        log.info("%s: sealing ahead stopped: %s", journal.stem, why)
        self._end(ahead, journal)

    def _end(self, ahead: _Ahead, journal: Path) -> None:
        ahead.proc.kill()
        ahead.proc.communicate()
        self._clean(ahead, journal)

    def _clean(self, ahead: _Ahead, journal: Path) -> None:
        """Remove what the process left half written."""
        from collector.seal.ahead import remove_temporary  # (the process's module: the redaction engine)

        remove_temporary(self.episodes, journal, ahead.proc.pid)

    @staticmethod
    def _fall_back(journal: Path, why: str) -> None:
        log.warning("%s: sealing from the journal, not ahead: %s", journal.stem, why)


def ahead_command(journal: Path, episodes: Path, root: Path) -> list[str]:
    """The seal-ahead process's command line for this journal, the episodes folder and the workspace, to
    be started by this process (its parent: it ends with it)."""
    from collector.seal.ahead import identity  # loads the redaction engine: not before the first long episode

    return python_command("collector.seal.ahead", str(journal), str(episodes), str(root), identity(),
                          str(os.getpid()))


class Patience:
    """How long `finish` waits for a process: until it has used `cpu_bound` s of CPU since (a healthy one
    needs less, however loaded the machine), or used none for STUCK_S, or WALL_TIMES `cpu_bound` has passed
    on the wall clock. Where the process's CPU time is not known (macOS) `cpu_bound` bounds the wall clock.
    `given_up` says why it gives up, in words for the log, or None to wait on."""

    def __init__(self, cpu_bound: float, now: float, cpu: float | None) -> None:
        self.cpu_bound = cpu_bound
        self.started = self.progressed = now
        self.cpu_at_start = self.cpu = cpu

    def given_up(self, now: float, cpu: float | None) -> str | None:
        waited = now - self.started
        did_not = f"it did not finish in {waited:.0f} s"
        if self.cpu_at_start is None:
            return did_not if waited >= self.cpu_bound else None
        if cpu is None:
            return None  # it has just ended: its answer is being read
        if self.cpu is None or cpu > self.cpu:
            self.cpu, self.progressed = cpu, now
        used = cpu - self.cpu_at_start
        if used >= self.cpu_bound:
            return f"{did_not}, having used {used:.0f} s of CPU, more than a seal from scratch needs"
        if now - self.progressed >= STUCK_S:
            return f"{did_not}, using no CPU for the last {now - self.progressed:.0f} s"
        if waited >= WALL_TIMES * self.cpu_bound:
            return did_not
        return None


def finish_timeout(journal: Path) -> float:
    """The most CPU time a healthy process can need to finish `journal` (see FINISH_S_PER_MIB)."""
    try:
        size = journal.stat().st_size
    except OSError:
        size = 0
    return FINISH_FLOOR_S + FINISH_S_PER_MIB * size / 2**20


def _reply(out: bytes) -> dict[str, Any]:
    """The process's one JSON line ({} when there is none)."""
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        value = json.loads(lines[-1]) if lines else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
