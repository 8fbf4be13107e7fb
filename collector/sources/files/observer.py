"""The watchdog observer the watchers use: directory walks without recursion, and a way to ask whether
it still watches.

watchdog's inotify observer walks a recursively watched tree with `os.walk`, which recurses on Python
3.11: a directory ~1,000 levels deep raised RecursionError and the file watcher never started. On Linux
the observer here is that observer with its walks done on an explicit stack (`walk_dirs`); what is left
of os.walk (the synthetic events for what lies below a directory moved in, which the file watcher walks
itself anyway) is cut short with a warning instead of ending the emitter. Elsewhere it is watchdog's
platform observer, unchanged.

`failure(observer)` says why an observer stopped watching on its own (one of its threads ended, a
callback raised, a watched directory was deleted), or None while it watches; the capture sources turn
that into a `gap` step.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
from collections.abc import Iterator

from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, EventQueue

from collector.sources.emit import reason

log = logging.getLogger("codetape.sources")
Walked = tuple[bytes, list[bytes], list[bytes]]  # (directory, subdirectory names, other names)


def walk_dirs(top: bytes, *, follow_symlinks: bool = False) -> Iterator[Walked]:
    """`os.walk(top)` top-down, on a stack instead of recursion: unreadable directories are skipped,
    symlinked directories listed but entered only with `follow_symlinks`."""
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            continue
        dirs: list[bytes] = []
        others: list[bytes] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else others).append(entry.name)
        yield directory, dirs, others
        for name in reversed(dirs):
            path = os.path.join(directory, name)
            if follow_symlinks or not os.path.islink(path):
                stack.append(path)


def failure(observer: BaseObserver) -> str | None:
    """Why `observer` stopped watching on its own; None while it watches, or once it was stopped."""
    error: str | None = getattr(observer, "error", None)
    for emitter in list(observer.emitters):
        error = error or getattr(emitter, "error", None)
        if error is None and not emitter.is_alive():
            error = f"watching {os.fsdecode(emitter.watch.path)} ended (was the directory deleted?)"
    reader = getattr(observer, "_inotify_fd", observer)  # the inotify observer's reading thread
    if error is None and not (observer.is_alive() and reader.is_alive()):
        error = "watchdog's observer thread ended"
    return None if observer.stopped_event.is_set() else error


if sys.platform.startswith("linux"):
    from watchdog.observers.inotify import InotifyEmitter, InotifyObserver, InotifyWatchGroup
    from watchdog.observers.inotify_c import InotifyConstants, InotifyEvent, Mask

    class _WatchGroup(InotifyWatchGroup):
        """watchdog's watch group with its two walks on a stack; a callback that raises is remembered."""

        error: str | None = None

        def on_event(self, event: InotifyEvent) -> None:
            try:
                super().on_event(event)
            except Exception as exc:  # the inotify thread must not die silently
                log.exception("watching %r failed", self.path)
                self.error = reason(exc)

        def _add_all_callbacks(self, path: bytes) -> None:
            is_dir = os.path.isdir(path)
            self._add_callback(path)
            if is_dir and self.is_recursive:
                for root, dirnames, _ in walk_dirs(path, follow_symlinks=self.follow_symlink):
                    for dirname in dirnames:
                        full_path = os.path.join(root, dirname)
                        if self.follow_symlink or not os.path.islink(full_path):
                            self._add_callback(full_path)

        def _recursive_simulate(self, src_path: bytes) -> list[InotifyEvent]:
            events = []
            for root, dirnames, filenames in walk_dirs(src_path, follow_symlinks=self.follow_symlink):
                wd_root = self._active_callbacks_by_path.get(root)
                if wd_root is None:  # not watched (yet): its own IN_CREATE will report its content
                    continue
                for dirname in dirnames:
                    mask = Mask(InotifyConstants.IN_CREATE | InotifyConstants.IN_ISDIR)
                    events.append(InotifyEvent(wd_root, mask, 0, dirname))
                for filename in filenames:
                    events.append(InotifyEvent(wd_root, InotifyConstants.IN_CREATE, 0, filename))
            return events

    class _Emitter(InotifyEmitter):
        """watchdog's inotify emitter on `_WatchGroup`; an exception that ends its thread is remembered."""

        _error: str | None = None

        @property
        def error(self) -> str | None:
            return self._error or (self._inotify.error if isinstance(self._inotify, _WatchGroup) else None)

        def on_thread_start(self) -> None:
            self._inotify = _WatchGroup(
                self._inotify_fd, os.fsencode(self.watch.path), is_recursive=self.watch.is_recursive,
                event_mask=self.get_event_mask_from_filter(), follow_symlink=self.watch.follow_symlink,
            )

        def queue_events(self, timeout: float, *, full_events: bool = False) -> None:
            try:
                super().queue_events(timeout, full_events=full_events)
            except RecursionError:
                # The events of a moved directory were queued; only watchdog's synthetic events for
                # what lies below it (an os.walk) are lost, and the file watcher walks it itself.
                log.warning("a directory too deep for watchdog's walk moved below %s", self.watch.path)
            except Exception as exc:
                log.exception("watching %s failed", self.watch.path)
                self._error = reason(exc)
                self.stop()

    class _Observer(InotifyObserver):
        """watchdog's inotify observer on `_Emitter`; a handler that raises is remembered."""

        error: str | None = None

        def __init__(self) -> None:
            super().__init__()
            self._emitter_class = _Emitter

        def dispatch_events(self, event_queue: EventQueue) -> None:
            try:
                super().dispatch_events(event_queue)
            except queue.Empty:
                raise
            except Exception as exc:  # the watcher is stopped and the gap recorded by its owner
                log.exception("an event handler failed")
                self.error = self.error or reason(exc)

    def new_observer() -> BaseObserver:
        """An observer whose emitters walk directories without recursion."""
        return _Observer()
else:
    def new_observer() -> BaseObserver:
        """The platform's watchdog observer."""
        return Observer()
