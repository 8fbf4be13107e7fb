"""A session's capture sources (git and file watchers), started and stopped off the caller's thread.

Starting a file watcher walks the work tree, and stopping one joins its threads, which may be waiting to
hand a step to the session: neither may run on the collector's event loop nor under the session's lock.
One worker thread per session applies each change of policy in order, and between changes checks that
every watcher still watches: one that could not start or stopped on its own is stopped, recorded as a
`gap` (reason `other`, the watcher's own words in the detail) and listed in `stopped` (the session's
status) until the next change of policy starts the watchers again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from collector.policy.recording import Policy
from collector.protocol.clock import now_ms
from collector.sources.emit import Emit, Watcher, reason

log = logging.getLogger("codetape.collector")
CAPTURE_CHANNELS = frozenset({"git", "files"})
CHECK_INTERVAL_S = 1.0

StartWatchers = Callable[[Path, Policy, Emit], list[Watcher]]


class Capture:
    """The watchers of one workspace; `switch` to a new policy, `close` to stop them for good."""

    def __init__(self, root: Path, start_watchers: StartWatchers, emit: Emit, *,
                 clock: Callable[[], int] = now_ms, check_interval: float = CHECK_INTERVAL_S) -> None:
        self.root = root
        self._start_watchers = start_watchers
        self._emit = emit
        self._clock = clock
        self._check_interval = check_interval
        self._watchers: list[Watcher] = []
        self._stopped: dict[str, str] = {}  # replaced, never changed in place: other threads read it
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

    @property
    def stopped(self) -> dict[str, str]:
        """The watchers that could not start or stopped on their own, by name, with the reason."""
        return self._stopped

    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self._check_interval)
            except queue.Empty:
                self._check()
                continue
            if job is None:
                return
            policy, retired = job
            self._stop_all()
            self._stopped = {}
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
            self._failed("capture", "collector", f"the capture sources could not start ({reason(exc)})")
            return
        for watcher in watchers:
            try:
                watcher.start()
            except Exception as exc:
                log.error("%s: %s could not start: %s", self.root, type(watcher).__name__, exc)
                self._stop(watcher)  # whatever it started before failing
                self._failed(type(watcher).__name__, watcher.source,
                             f"the {watcher.source} watcher could not start ({reason(exc)})")
                continue
            self._watchers.append(watcher)

    def _check(self) -> None:
        """Stop and record every watcher that stopped watching on its own."""
        for watcher in list(self._watchers):
            try:
                why = watcher.failure()
            except Exception as exc:  # a bug in the check must not stop a watcher that may be fine
                log.error("%s: checking %s failed: %s", self.root, type(watcher).__name__, exc)
                continue
            if why is None:
                continue
            log.error("%s: %s stopped: %s", self.root, type(watcher).__name__, why)
            self._watchers = [w for w in self._watchers if w is not watcher]
            self._stop(watcher)
            self._failed(type(watcher).__name__, watcher.source,
                         f"the {watcher.source} watcher stopped ({why})")

    def _failed(self, name: str, source: str, what: str) -> None:
        self._stopped = {**self._stopped, name: what}
        detail = (f"{what}: what it watches is not recorded until the collector restarts or "
                  ".codetape.toml changes")
        self._emit(self._clock(), {"kind": "gap", "source": source, "reason": "other", "detail": detail})

    def _stop(self, watcher: Watcher) -> None:
        try:
            watcher.stop()
        except Exception as exc:
            log.error("%s: stopping %s failed: %s", self.root, type(watcher).__name__, exc)

    def _stop_all(self) -> None:
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            self._stop(watcher)  # one source failing to stop must not keep the others running
