"""The file watcher: files created, modified, deleted or renamed outside the editor become `file_change`
steps carrying the full new text and its sha256 (binary and too-large files: size only).

watchdog's thread only queues events. After a burst goes quiet the worker compares each touched path
with the last state it recorded (size and mtime first, then the hash) and records what changed. A burst
above `burst_limit` events, or the kernel's inotify queue overflowing, drops the queue: the watcher
waits for quiet, records a `gap` (`watcher_overflow`), then reconciles the whole workspace against the
last known state, so the recording ends equal to the disk. Events can also be lost without any overflow
(the inotify watch limit reached in a big tree, a file changed through a hard link elsewhere): every
`audit_interval` seconds the tree is compared with the last known state by size and mtime, and what
no event reported is recorded after a `gap` saying so. That is every 120 s on Linux, whose inotify says
when it lost events, and every 10 s elsewhere (macOS's FSEvents may drop them without a word), but never
more often than keeps the audits under AUDIT_SHARE of the time (a pass over a big tree waits longer).

A change of a `.gitignore` (or of `.git/info/exclude`, seen in the same event stream) makes the policy
forget what git ignored before the next change is looked at. Directories are walked without recursion
(filestate.walk, observer), so no depth stops the watcher; if it stops anyway, `failure` says why.

Every file is looked at through collector.workspace.beneath: a link is recorded as a link (`link`: its
target string) and never followed, so a directory that becomes a link pointing out of the workspace
(`cfg/` turning into `cfg -> ../../.docker`) is recorded as that link, and the files known below it as
deleted, whichever pass (events, reconcile, audit) finds it.

A path that cannot be read for a reason that says nothing of it (the collector's file table full, the
system's, memory, the device: `filestate.Unreadable`) is never taken for gone: it is tried again
(RETRY_PAUSES_S; once one path of a pass ran out of them, the rest of that pass are tried once), then a
`gap` (`unreadable_file`, naming the kind of path and the error, not the path) says a change could not be
read, and the path is tried every UNREAD_RETRY_S until it is: what it holds then is recorded.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from collector.platform.files import EVENTS_LOST_SILENTLY, error_name, transient
from collector.policy.recording import Policy
from collector.sources.emit import Emit
from collector.sources.files.debounce import Debouncer
from collector.sources.files.filestate import Known, Unreadable, is_noise, read_state, walk
from collector.sources.files.observer import failure as observer_failure
from collector.sources.files.observer import new_observer
from collector.sources.files.writes import Writes
from collector.workspace.beneath import stat_beneath

SOURCE = "files"
BURST_LIMIT = 4096
AUDIT_INTERVAL_S = 10.0 if EVENTS_LOST_SILENTLY else 120.0
AUDIT_SHARE = 0.02  # at most this share of the time spent auditing: a 0.5 s pass waits 25 s for the next
SETTLED_NS = 2_000_000_000  # a change younger than this may still have its event in flight
RETRY_PAUSES_S = (0.05, 0.2, 0.5)  # a path that could not be read (Unreadable) is tried again after these
UNREAD_RETRY_S = 1.0  # and, once a gap said so, again this often until it is read
EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileMovedEvent, FileDeletedEvent,
    DirCreatedEvent, DirMovedEvent, DirDeletedEvent,
]
log = logging.getLogger("codetape.sources")
_live: weakref.WeakSet[FileWatcher] = weakref.WeakSet()
_Event = tuple[str, str, str]  # (kind, relpath, destination relpath or "")


class _OverflowHook(logging.Handler):
    """watchdog reports a kernel inotify queue overflow only as a log record; every watcher lost events."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Inotify queue overflowed"):
            for watcher in list(_live):
                watcher.overflowed()


_hook = _OverflowHook(logging.WARNING)
logging.getLogger("watchdog.observers.inotify_c").addHandler(_hook)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FileWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = ("dir_" if event.is_directory else "") + event.event_type
        self._watcher.queue(kind, _text(event.src_path), _text(getattr(event, "dest_path", "") or ""))


class FileWatcher:
    """Records what changes on disk in the workspace at `root`, as the policy allows."""

    source = SOURCE

    def __init__(self, root: Path, policy: Policy, emit: Emit, *, clock: Callable[[], int],
                 skip: tuple[Path, ...] = (), quiet: float = 0.05, max_delay: float = 1.0,
                 burst_limit: int = BURST_LIMIT, overflow_quiet: float = 0.5,
                 audit_interval: float = AUDIT_INTERVAL_S) -> None:
        self.root = root.resolve()
        self.policy = policy
        self.emit = emit
        self.clock = clock
        self.skip = skip
        self.burst_limit = burst_limit
        self.overflow_quiet = overflow_quiet
        self.audit_interval = audit_interval
        self._audit_wait = audit_interval
        self._audit_due = False
        self._stopped = threading.Event()
        self._auditor = threading.Thread(target=self._audit_clock, name="codetape-files-audit", daemon=True)
        self._known: dict[str, Known] = {}
        self._lock = threading.Lock()
        self._queue: list[_Event] = []
        self._overflow: str | None = None
        self._dropped = 0
        self._first_flush = True
        self._unread: dict[str, str] = {}  # paths a gap said could not be read -> "file" or "folder"
        self._pressed = False  # a path of this pass ran out of retries: the others are tried once
        self._retry: threading.Timer | None = None
        self._writes = Writes()  # files a writer still holds open: read once it closes them
        self._read_all = False  # settle and stop read what is still being written as it is
        self._wake: threading.Timer | None = None
        self._unlisted: set[str] = set()  # the folders the last walk could not list
        self._prefix = f"{self.root}/"
        self._observer = new_observer()
        self._debouncer = Debouncer(self._flush, quiet=quiet, max_delay=max_delay, name="codetape-files")

    def start(self) -> None:
        self._observer.schedule(_Handler(self), str(self.root), recursive=True, event_filter=EVENTS)
        try:
            self._observer.start()
        except OSError as exc:
            raise RuntimeError(f"watching {self.root} failed ({exc.strerror}; raise "
                               "fs.inotify.max_user_watches or max_user_instances)") from exc
        _live.add(self)
        # The baseline before start returns: a change made once the watcher runs differs from it. Taken in
        # the first flush instead, a file written between start and that flush was in the baseline, and
        # its event, which watchdog delivers up to half a second late, found nothing to record.
        self.policy.refresh()
        self._known = {rel: Known(st.st_size, st.st_mtime_ns, None)
                       for rel, st in walk(self.root, self.policy, skip=self.skip)}
        self._debouncer.start()
        self._debouncer.poke()  # the first flush records what changed during the walk
        self._auditor.start()

    def settle(self) -> None:
        """Run the pending pass now and wait for it (before a seal): a file still being written is read
        as it is."""
        self._read_all = True
        try:
            self._debouncer.settle()
        finally:
            self._read_all = False

    def stop(self) -> None:
        _live.discard(self)
        self._stopped.set()
        for timer in (self._retry, self._wake):
            if timer is not None:
                timer.cancel()
        self._read_all = True
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=10)
        self._debouncer.stop()

    def failure(self) -> str | None:
        if self._stopped.is_set():
            return None
        if not (self._debouncer.alive and self._auditor.is_alive()):
            return "its worker thread ended"
        return observer_failure(self._observer)

    def _audit_clock(self) -> None:
        while not self._stopped.wait(self._audit_wait):
            self._audit_due = True
            self._debouncer.poke()

    # -- watchdog's thread ---------------------------------------------------------------------------------

    def queue(self, kind: str, src: str, dest: str) -> None:
        if self.policy.changes_ignores(src) or (dest and self.policy.changes_ignores(dest)):
            self.policy.invalidate()  # before any later event of this stream is looked at
        rel, rel_dest = self._relative(src), self._relative(dest)
        if rel is None and rel_dest is None:
            return
        if kind == "dir_modified" or (rel is not None and rel_dest is None and is_noise(rel)):
            return
        with self._lock:
            if self._overflow is not None:
                self._dropped += 1
            elif len(self._queue) >= self.burst_limit:
                self._overflow = f"more than {self.burst_limit} file events in one burst"
                self._dropped += len(self._queue) + 1
                self._queue = []
            else:
                self._queue.append((kind, rel or "", rel_dest or ""))
        self._debouncer.poke()

    def overflowed(self) -> None:
        with self._lock:
            self._overflow = "the kernel's inotify event queue overflowed"
            self._dropped += len(self._queue)
            self._queue = []
        self._debouncer.poke()

    def _relative(self, path: str) -> str | None:
        if not path.startswith(self._prefix):
            return None
        if any(path == str(s) or path.startswith(f"{s}/") for s in self.skip):
            return None
        return path[len(self._prefix):]

    # -- the worker thread ---------------------------------------------------------------------------------

    def _flush(self) -> None:
        self.policy.refresh()
        first, self._first_flush = self._first_flush, False
        self._pressed = False
        with self._lock:
            events, self._queue = self._queue, []
            overflow = self._overflow
        try:
            self._pass(events, overflow, first=first)
        finally:
            self._retry_unread()

    def _pass(self, events: list[_Event], overflow: str | None, *, first: bool) -> None:
        if overflow is None:
            # what could not be read before is looked at again, as if an event had come for it
            events += [("dir_created" if kind == "folder" else "modified", rel, "")
                       for rel, kind in list(self._unread.items())]
            events += [("held", rel, "") for rel in self._writes.held()]  # a writer's time may be up
            # paths touched while the baseline was walked may be in it already: record them as they are
            self._apply(events, force=first)
            if self._audit_due:
                self._audit_due = False
                started = time.monotonic()
                self._audit()
                self._audit_wait = max(self.audit_interval, (time.monotonic() - started) / AUDIT_SHARE)
            return
        self._wait_for_quiet()
        with self._lock:
            dropped, self._dropped, self._overflow, self._queue = self._dropped, 0, None, []
        detail = f"{overflow}; {dropped} events dropped, the workspace was reconciled from disk"
        self._emit({"kind": "gap", "source": SOURCE, "reason": "watcher_overflow", "detail": detail})
        self._reconcile()

    def _wait_for_quiet(self) -> None:
        """Let the burst end: until no event arrived for `overflow_quiet` seconds."""
        while True:
            with self._lock:
                seen = self._dropped
            time.sleep(self.overflow_quiet)
            with self._lock:
                if self._dropped == seen:
                    return

    def _apply(self, events: list[_Event], *, force: bool = False) -> None:
        dirty: dict[str, None] = {}
        subtrees: list[str] = []
        for kind, rel, dest in events:
            self._writes.saw(kind, rel, dest)
            if kind == "moved" and rel and dest and not is_noise(rel) and not is_noise(dest):
                if not self._rename(rel, dest):
                    dirty.update(dict.fromkeys([rel, dest]))
            elif kind.startswith("dir_"):
                subtrees.extend(p for p in (rel, dest) if p)
            else:
                dirty.update(dict.fromkeys(p for p in (rel, dest) if p and not is_noise(p)))
        for prefix in _outermost(subtrees):
            below = f"{prefix}/"
            dirty.update(dict.fromkeys(p for p in self._known if p.startswith(below)))
            dirty.update(dict.fromkeys(rel for rel, _ in self._walk(under=prefix)))
            if self._unread.get(prefix) == "folder" and prefix not in self._unlisted:
                del self._unread[prefix]  # listed now: what it holds is synced below
        wake = 0.0
        for rel in dirty:
            if (wait := self._still_written(rel)) > 0:
                wake = min(wake or wait, wait)
            else:
                self._sync(rel, force=force)
        if wake:
            self._wake_in(wake)

    def _still_written(self, rel: str) -> float:
        """Seconds to leave `rel` to the writer that holds it open (0: read it now)."""
        if self._read_all or not self._writes.holds(rel):
            return 0.0  # (no stat of a path no writer holds: a burst's paths are stat'ed once, by `_sync`)
        try:
            st = self._lstat(rel)
        except Unreadable:
            return 0.0  # `_sync` tries again, then says so
        if st is None:
            return 0.0
        if S_ISLNK(st.st_mode):
            self._writes.forget(rel)
            return 0.0
        return self._writes.wait(rel, size=st.st_size)

    def _wake_in(self, seconds: float) -> None:
        """Run a pass in `seconds`, when the files still being written are read anyway."""
        if self._wake is not None:
            self._wake.cancel()
        self._wake = threading.Timer(seconds, self._debouncer.poke)
        self._wake.daemon = True
        self._wake.start()

    def _walk(self, under: str = "") -> list[tuple[str, os.stat_result]]:
        """`filestate.walk` below `under`; a folder it could not list now is said once in a gap, and listed
        again later (`_unread`)."""
        unlisted: list[tuple[str, OSError]] = []
        found = list(walk(self.root, self.policy, under=under, skip=self.skip, unreadable=unlisted))
        self._unlisted = {rel for rel, _ in unlisted}
        for rel, exc in unlisted:
            self._could_not_read(rel, "folder", exc)
        return found

    def _rename(self, rel: str, dest: str) -> bool:
        """Record a rename of a known file whose content is readable at its new path now."""
        if rel not in self._known or self.policy.is_excluded(rel):
            return False
        try:
            state = read_state(self.root, dest, self.policy)
        except Unreadable:  # each path synced on its own: the new one tried again, then a gap
            return False
        if state is None:
            return False
        fields, known = state
        del self._known[rel]
        self._known[dest] = known
        self._emit({"kind": "file_change", "source": SOURCE, "path": rel, "change": "renamed",
                    "new_path": dest, **fields})
        return True

    def _sync(self, rel: str, *, force: bool = False) -> None:
        """Record the difference between what is known of `rel` and what is on disk now, if any; a path that
        could not be read is tried again, then said in a gap (`_could_not_read`)."""
        pauses = () if self._pressed else RETRY_PAUSES_S
        for pause in (*pauses, None):
            try:
                self._sync_now(rel, force=force)
            except Unreadable as exc:
                if pause is None or self._stopped.is_set():
                    self._pressed = True
                    self._could_not_read(rel, exc.kind, exc.error)
                    return
                time.sleep(pause)
            else:
                if self._unread.get(rel) == "file":
                    del self._unread[rel]
                return

    def _could_not_read(self, rel: str, kind: str, error: OSError) -> None:
        """A gap saying that a change of a file (or what a folder holds) could not be read, once per path
        until it is read; the path is tried again every UNREAD_RETRY_S."""
        if rel in self._unread:
            return
        self._unread[rel] = kind
        what = "what a workspace folder holds" if kind == "folder" else f"a change of a workspace {kind}"
        detail = (f"{what} could not be read ({error_name(error)}); it is recorded from disk once it can be")
        log.warning("%s: %s could not be read (%s); tried again every %g s", self.root, kind,
                    error_name(error), UNREAD_RETRY_S)
        self._emit({"kind": "gap", "source": SOURCE, "reason": "unreadable_file", "detail": detail})

    def _retry_unread(self) -> None:
        """Look at what could not be read again in UNREAD_RETRY_S (one timer at a time)."""
        if not self._unread or self._stopped.is_set():
            return
        if self._retry is not None and self._retry.is_alive():
            return
        self._retry = threading.Timer(UNREAD_RETRY_S, self._debouncer.poke)
        self._retry.daemon = True
        self._retry.start()

    def _sync_now(self, rel: str, *, force: bool = False) -> None:
        """`_sync` once: Unreadable (its `kind` set where known) when `rel` could not be read now."""
        before = self._known.get(rel)
        st = self._lstat(rel)
        if before is not None and st is not None and before.same_stat(st) and not force:
            return
        recordable = st is not None and (S_ISREG(st.st_mode) or S_ISLNK(st.st_mode))
        try:
            state = read_state(self.root, rel, self.policy) if recordable else None
        except Unreadable as exc:
            exc.kind = "link" if st is not None and S_ISLNK(st.st_mode) else "file"
            raise
        if state is None:
            if before is not None and not recordable:
                del self._known[rel]
                self._emit({"kind": "file_change", "source": SOURCE, "path": rel, "change": "deleted"})
            return
        fields, known = state
        self._known[rel] = known
        same = (before is not None and before.sha256 is not None and before.sha256 == known.sha256) or \
            (before is not None and before.link is not None and before.link == known.link)
        if same and not force:
            return
        change = "created" if before is None else "modified"
        self._emit({"kind": "file_change", "source": SOURCE, "path": rel, "change": change, **fields})

    def _reconcile(self) -> None:
        """After lost events: every file on disk against the last known state, then what disappeared."""
        seen: set[str] = set()
        for rel, _ in self._walk():
            seen.add(rel)
            self._sync(rel)
        for rel in [p for p in self._known if p not in seen]:
            self._sync(rel)

    def _audit(self) -> None:
        """Record changes no event reported (older than SETTLED_NS, so none is merely in flight)."""
        settled = time.time_ns() - SETTLED_NS
        seen: set[str] = set()
        missed: list[str] = []
        for rel, st in self._walk():
            seen.add(rel)
            before = self._known.get(rel)
            if (before is None or not before.same_stat(st)) and st.st_mtime_ns < settled:
                missed.append(rel)
        missed += [rel for rel in self._known if rel not in seen and self._missing(rel)]
        if not missed:
            return
        detail = (f"{len(missed)} file changes reached no file event (inotify watch limit reached, or a "
                  "change through a hard link?); recorded from disk")
        self._emit({"kind": "gap", "source": SOURCE, "reason": "watcher_overflow", "detail": detail})
        for rel in missed:
            self._sync(rel)

    def _lstat(self, rel: str) -> os.stat_result | None:
        """What is at `rel` now (a link as a link), or None when nothing is, or only through a link;
        Unreadable when that could not be looked at now."""
        try:
            return stat_beneath(self.root, rel)
        except OSError as exc:
            if transient(exc):
                raise Unreadable(exc) from exc
            return None

    def _missing(self, rel: str) -> bool:
        """Whether nothing is at `rel` now; a path that could not be looked at is taken as missed too (its
        `_sync` tries again, then says so)."""
        try:
            return self._lstat(rel) is None
        except Unreadable:
            return True

    def _emit(self, step: dict[str, Any]) -> None:
        self.emit(self.clock(), {key: value for key, value in step.items() if value is not None})


def _outermost(directories: list[str]) -> list[str]:
    """The directories not below another one of them: walking those covers the rest (a tree moved or
    made in one burst reports every directory in it, and walking each would be quadratic in its depth)."""
    kept: list[str] = []
    for directory in sorted(set(directories), key=lambda d: d.split("/")):
        if not kept or not directory.startswith(f"{kept[-1]}/"):
            kept.append(directory)
    return kept


def _text(path: str | bytes) -> str:
    return path if isinstance(path, str) else path.decode("utf-8", "surrogateescape")
