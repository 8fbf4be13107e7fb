"""Sealing: a journal becomes an episode file atomically, and only then is the journal removed.

One streaming pass reads the journal's intact prefix, decodes every frame straight into its step
(`collector.journal.frame_step`: the schema's checks, `t_ms` never decreasing), runs the optional
`transform` (redaction plugs in there) and writes `<episodes_dir>/<episode_id>.ctape` with
`write_episode_file` (tmp, fsync, rename, fsync dir), with keyframes taken from the steps as written (after
the transform: they hold only what the steps hold), and the header as the transform rewrites it, when it
does (`HeaderMasking`), never with the workspace's capture exclusions (`published_header`: the globs can
name what they hide; the transform keeps them beside the episode).
Sealing the same journal again after a crash rewrites the same episode, so it is safe to retry.

Damage is never dropped silently. When the journal is damaged in the middle, or a frame does not hold a
valid step, the good prefix is sealed (redacted like any other) followed by a `gap` step (reason
`journal_corrupt`) naming the byte offset and how many intact frames after it could not be trusted.
The journal itself is then deleted, as every sealed journal is: it holds what was recorded before
redaction, so a copy set aside would keep secrets the episode no longer has. The gap is how the
developer is told (the review shows it). Only a journal whose header is damaged, so that nothing in it
can be sealed, is kept, as `<name>.corrupt` (0600), with an error saying that it may hold unredacted
text and how to delete it.

A journal that holds no step (a header only, or not even an intact header) recorded nothing: it is
removed and `seal_journal` returns None, as the collector's `seal` returns nil.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import msgspec

from collector.batches import take
from collector.episode.writer import write_episode_file
from collector.errors import JournalCorrupt, JournalError
from collector.journal import JournalFrame, JournalScanner, frame_step, unpack_header
from collector.platform.files import fsync_dir
from collector.platform.locks import try_lock
from collector.reconstruct.keyframes import keyframe_states
from collector.seal.gc_pause import gc_paused
from collector.seal.late_open import fold_late_opens
from collector.seal.summaries import published_header
from collector.text.validation import first_error
from schemas import EpisodeHeader, Step
from schemas.common import validated
from schemas.steps import GapStep, StepError

Transform = Callable[[Iterator[Step]], Iterator[Step]]
# zstd level of a sealed episode: 17 against the writer's 19 costs 1.0 % more bytes (276.7 against 274.0 KiB)
# and a third of the compression time (0.35 against 0.95 s CPU) on the 60,000-step journal of
# bench/episode_speed.py; 15 would cost 5.5 % more, with long-distance matching 8.7 %
SEAL_LEVEL = 17
BATCH = 256  # journal frames read before their times are checked (a batch with a bad frame: one by one)
LOCK_WAIT_S = 10.0  # how long a seal waits for a journal's lock before it calls the journal busy


@runtime_checkable
class HeaderBound(Protocol):
    """A transform that needs the episode's header (redaction needs its position encoding)."""

    def with_header(self, header: EpisodeHeader) -> Transform: ...


@runtime_checkable
class HeaderMasking(Protocol):
    """A transform that also rewrites the header the episode is written with (local names masked)."""

    def sealed_header(self, header: EpisodeHeader) -> EpisodeHeader: ...


@dataclass(frozen=True)
class SealResult:
    """The sealed episode. `files` counts the distinct workspace paths its steps name (`path`, and
    `new_path` of renames); `damaged` says the journal was damaged (the episode ends in a gap)."""

    path: Path
    episode_id: str
    steps: int
    files: int
    damaged: bool = False


def seal_journal(journal_path: Path, episodes_dir: Path, *, transform: Transform | None = None,
                 level: int = SEAL_LEVEL, lock_wait_s: float = LOCK_WAIT_S) -> SealResult | None:
    """Turn a journal into an episode; None (journal removed) when it recorded no step."""
    with no_writer(journal_path, lock_wait_s), gc_paused():
        return _seal(journal_path, episodes_dir, transform, level)


@contextlib.contextmanager
def no_writer(journal_path: Path, wait_s: float) -> Iterator[None]:
    """Hold the journal's lock while sealing; a journal still being written is refused.

    The lock is waited for up to `wait_s`: right after its writer closed, a journal's lock can still be
    held for a moment by a process the collector was starting (git, say) between its fork and its exec,
    when the child briefly holds every open descriptor of the parent. Under load that moment grows.
    """
    try:
        fd = os.open(journal_path, os.O_RDONLY)
    except OSError as exc:
        raise JournalError(f"cannot read journal {journal_path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait_s
        pause = 0.005
        while True:
            if try_lock(fd):
                break
            if time.monotonic() >= deadline:
                raise JournalError(f"journal {journal_path} is still being written; close its session first")
            time.sleep(pause)  # polling a lock: flock has no timeout of its own
            pause = min(pause * 2, 0.1)
        yield
    finally:
        os.close(fd)


def _seal(journal_path: Path, episodes_dir: Path, transform: Transform | None,
          level: int) -> SealResult | None:
    source = _JournalSteps(journal_path)
    header = source.read_header()
    steps = source.steps()
    first = next(steps, None) if header is not None else None
    if header is None or first is None:
        remove_journal(journal_path)
        return None
    if isinstance(transform, HeaderBound):
        transform = transform.with_header(header)
    result = write_sealed(header, itertools.chain([first], steps), episodes_dir, transform, level)
    remove_journal(journal_path)  # damaged or not: its readable part is in the episode, redacted
    return result if not source.damaged else dataclasses.replace(result, damaged=True)


def write_sealed(header: EpisodeHeader, steps: Iterator[Step], episodes_dir: Path,
                 transform: Transform | None, level: int = SEAL_LEVEL) -> SealResult:
    """Write `<episodes_dir>/<episode id>.ctape` from the steps through the (already bound) transform:
    the one way a seal writes an episode (a seal from the journal, and a seal ahead: collector.seal.ahead)."""
    steps = fold_late_opens(steps)  # a late bridge's save, seen by the watcher first (late_open.py)
    stream = transform(steps) if transform is not None else steps
    if isinstance(transform, HeaderMasking):
        header = transform.sealed_header(header)
    header = published_header(header)
    files: set[str] = set()
    episodes_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = episodes_dir / f"{header.episode_id}.ctape"
    count = write_episode_file(path, header, _note_files(stream, files), level=level,
                               states=keyframe_states(header.position_encoding))
    return SealResult(path, str(header.episode_id), count, len(files))


class _JournalSteps:
    """The journal's header, then its valid steps, then a `gap` step if anything after them is lost."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.damaged = False
        self._scanner = JournalScanner(path)
        self._frames = self._scanner.frames()

    def read_header(self) -> EpisodeHeader | None:
        try:
            frame = next(self._frames, None)
        except JournalCorrupt as exc:
            kept = self.path.with_name(self.path.name + ".corrupt")
            os.replace(self.path, kept)
            fsync_dir(self.path.parent)
            raise JournalCorrupt(f"journal {self.path} has no intact header but {exc.frames_after} intact "
                                 f"frames after it; nothing can be sealed, it is kept as {kept}, which may "
                                 f"hold unredacted text: delete it once looked at (rm {kept})",
                                 offset=exc.offset, good_frames=0, frames_after=exc.frames_after) from None
        if frame is None:
            return None
        return journal_header(self.path, frame)

    def steps(self) -> Iterator[Step]:
        """The steps, BATCH frames at a time; a batch with anything wrong in it is gone through frame by
        frame, so the gap says what the first bad frame is."""
        last_t = 0
        while True:
            batch, corrupt = take(self._frames, BATCH, JournalCorrupt)
            steps = valid_batch(batch, last_t)
            if steps is None:
                for n, frame in enumerate(batch):
                    step = _valid_step(frame, last_t)
                    if isinstance(step, str):
                        after, last_seq = self._count_rest(frame.seq, batch[n + 1 :], corrupt)
                        yield self._gap(last_t, frame.offset, step, after, last_seq - frame.seq + 1)
                        return
                    last_t = step.t_ms
                    yield step
            elif steps:
                last_t = steps[-1].t_ms
                yield from steps
            if corrupt is not None:
                last_seq = self._last_seq_after(corrupt)
                yield self._gap(last_t, corrupt.offset, "the journal is damaged", corrupt.frames_after,
                                last_seq - corrupt.good_frames + 1)
                return
            if len(batch) < BATCH:
                return

    def _count_rest(self, seq: int, read: list[JournalFrame],
                    corrupt: JournalCorrupt | None) -> tuple[int, int]:
        """How many intact frames follow the invalid frame `seq` (`read` of them already read, then
        `corrupt` if the damage was met while reading them), and the last one's seq."""
        after, last_seq = len(read), read[-1].seq if read else seq
        if corrupt is not None:
            return after + corrupt.frames_after, self._last_seq_after(corrupt)
        try:
            for frame in self._frames:
                after, last_seq = after + 1, frame.seq
        except JournalCorrupt as exc:
            return after + exc.frames_after, self._last_seq_after(exc)
        return after, last_seq

    def _last_seq_after(self, exc: JournalCorrupt) -> int:
        damage = self._scanner.result.damage if self._scanner.result is not None else None
        return damage.last_seq_after if damage is not None else exc.good_frames + exc.frames_after - 1

    def _gap(self, t_ms: int, offset: int, what: str, after: int, lost: int) -> GapStep:
        self.damaged = True
        detail = (f"{what} at byte {offset}; {after} intact frames after it could not be trusted "
                  "(the damaged journal was deleted: it held text from before redaction)")
        return GapStep(t_ms=t_ms, source="collector", reason="journal_corrupt", detail=detail,
                       lost_steps=lost)


def journal_header(path: Path, frame: JournalFrame) -> EpisodeHeader:
    """The episode header frame 0 holds; JournalError when it is not a valid one."""
    try:
        return validated(unpack_header(frame), EpisodeHeader)
    except msgspec.ValidationError as exc:
        raise JournalError(f"journal {path} has an invalid header: {first_error(exc)}") from None


def valid_batch(frames: list[JournalFrame], last_t: int) -> list[Step] | None:
    """The frames' steps, or None when any frame is not a valid step or goes back in time."""
    try:
        steps = [frame_step(frame) for frame in frames]
    except (JournalError, StepError):
        return None
    for step in steps:
        if step.t_ms < last_t:
            return None
        last_t = step.t_ms
    return steps


def _valid_step(frame: JournalFrame, last_t: int) -> Step | str:
    """The frame's step, or why it is not a valid one."""
    try:
        step = frame_step(frame)
    except JournalError:
        return f"frame {frame.seq} is not a msgpack map"
    except StepError as exc:
        return f"frame {frame.seq} holds an invalid step ({first_error(exc)})"
    if step.t_ms < last_t:
        return f"frame {frame.seq} goes back in time ({step.t_ms} ms after {last_t} ms)"
    return step


def _note_files(steps: Iterator[Step], files: set[str]) -> Iterator[Step]:
    """Pass steps through, noting every workspace path a step names (`path`, and `new_path` of renames)."""
    for step in steps:
        for name in ("path", "new_path"):
            value = getattr(step, name, None)
            if isinstance(value, str):
                files.add(value)
        yield step


def remove_journal(journal_path: Path) -> None:
    journal_path.unlink(missing_ok=True)
    fsync_dir(journal_path.parent)
