"""A session's capture sources (git and file watchers), started and stopped off the caller's thread.

Starting a file watcher walks the work tree, and stopping one joins its threads, which may be waiting to
hand a step to the session: neither may run on the collector's event loop nor under the session's lock.
One worker thread per session applies each change of policy in order.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from collector.policy.recording import Policy
from collector.sources.emit import Emit, Watcher

log = logging.getLogger("codetape.collector")
CAPTURE_CHANNELS = frozenset({"git", "files"})

StartWatchers = Callable[[Path, Policy, Emit], list[Watcher]]


class Capture:
    """The watchers of one workspace; `switch` to a new policy, `close` to stop them for good."""

    def __init__(self, root: Path, start_watchers: StartWatchers, emit: Emit) -> None:
        self.root = root
        self._start_watchers = start_watchers
        self._emit = emit
        self._watchers: list[Watcher] = []
        self._jobs: queue.Queue[tuple[Policy | None, Policy | None] | None] = queue.Queue()
        self._progress = threading.Condition()
        self._asked = self._done = 0
        self._thread = threading.Thread(target=self._run, name="codetape-capture", daemon=True)
        self._thread.start()

    def switch(self, policy: Policy, retired: Policy | None = None) -> None:
        """Restart the watchers under `policy` (soon, in order); `retired` is closed once unused."""
        with self._progress:
            self._asked += 1
        self._jobs.put((policy, retired))

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every switch asked so far has been applied (its watchers started)."""
        with self._progress:
            asked = self._asked
            return self._progress.wait_for(lambda: self._done >= asked, timeout)

    def settle(self) -> None:
        """Let every running watcher record what it has seen so far (called off the event loop)."""
        for watcher in list(self._watchers):
            try:
                watcher.settle()
            except Exception as exc:
                log.error("%s: %s could not settle: %s", self.root, type(watcher).__name__, exc)

    def close(self, timeout: float = 60.0) -> None:
        """Stop every watcher and wait for it (at most `timeout` seconds)."""
        self._jobs.put((None, None))
        self._jobs.put(None)
        self._thread.join(timeout)

    @property
    def running(self) -> list[str]:
        """The names of the watchers started and not yet stopped (`GitWatcher`, `FileWatcher`)."""
        return [type(watcher).__name__ for watcher in self._watchers]

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            policy, retired = job
            self._stop_all()
            if retired is not None:
                retired.close()
            if policy is not None and CAPTURE_CHANNELS & set(policy.settings.channels):
                self._start_all(policy)
            with self._progress:
                self._done += 1
                self._progress.notify_all()

    def _start_all(self, policy: Policy) -> None:
        try:
            watchers = self._start_watchers(self.root, policy, self._emit)
        except Exception as exc:  # a source that cannot start must not stop the editor's recording
            log.error("%s: the capture sources could not start: %s", self.root, exc)
            return
        for watcher in watchers:
            try:
                watcher.start()
            except Exception as exc:
                log.error("%s: %s could not start: %s", self.root, type(watcher).__name__, exc)
                continue
            self._watchers.append(watcher)

    def _stop_all(self) -> None:
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            try:
                watcher.stop()
            except Exception as exc:  # one source failing to stop must not keep the others running
                log.error("%s: stopping %s failed: %s", self.root, type(watcher).__name__, exc)
