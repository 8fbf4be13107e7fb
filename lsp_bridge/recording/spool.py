"""One workspace's spool in the bridge: the steps waiting for the collector, what could not be kept, the
gap due, and the connection's state.

A spool is `waiting` (for its connection: connecting, or retrying after `retry`/`disconnected`),
`recording` (`connected`: its steps go to the collector in batches, `take_batch`), `refused` (the
collector does not record the workspace: its steps are dropped) or `stopped` (the user stopped recording:
its steps are counted, never kept, until the user starts it again). It holds up to its limits (`Limits`);
beyond them, or while the collector is unreachable, steps are counted as lost with the paths they touched,
and a `gap` is due: steps are held back (counted) until `admit_gap` queues it, with the current text of
every file the lost steps touched (of every open document after a reconnection: `resync`). Not
thread-safe: the recorder (recorder.py) calls it under its lock.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from lsp_bridge.arguments import SPOOL_STEPS
from lsp_bridge.steps.translate import gap_step, step_size, too_large
from schemas.steps import FileState, Step, step_to_dict

log = logging.getLogger(__name__)

BATCH_ITEMS = 512
BATCH_BYTES = 2 * 1024 * 1024  # characters: at most 8 MiB of UTF-8, below the 16 MiB message cap
GAP_ROOM = 4096  # bytes a spool must have free before a gap is queued


class Link(Protocol):
    """What the recorder needs from a collector connection (collector.protocol.client.Client)."""

    @property
    def closed(self) -> bool: ...

    def hello(self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
              position_encoding: str | None = None) -> dict[str, Any]: ...

    # each step a struct (its plain map on the wire); a map only for one with what travels beside it
    # without being a field (`Outgoing.beside`)
    def send_steps(self, items: list[tuple[int, Step | dict[str, Any]]]) -> None: ...

    def request(self, op: str, **args: Any) -> Any: ...

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None: ...

    def close(self) -> None: ...


StateProvider = Callable[[Path, set[str] | None], list[FileState]]
State = Literal["waiting", "recording", "refused", "stopped"]
STOPPED_POLL_S = 1.0  # how often a stopped spool looks whether the user started recording again
Due = Literal["recorder_behind", "collector_unreachable", "other", "paused"]  # paused: stopped by the user


@dataclass(slots=True)
class Outgoing:
    at_ms: int
    step: Step
    variants: dict[str, Step] | None = None  # the step in the other position encodings sessions want
    paths: tuple[str, ...] = ()
    size: int = 0
    hold_until: float = 0.0  # (monotonic s) spooled until then unless amended (authorship/origins.py)
    taken: bool = False  # handed to the connection (or lost): amending it is too late
    # what travels beside the step to the collector without being one of its fields (an ACP permission's
    # `patch`, lsp_bridge/steps/acp.py): such a step goes as its plain map with these keys added, which the
    # collector takes out before it checks the step (collector/daemon/intake/admit.py `arrive`)
    beside: dict[str, Any] | None = None

    def for_session(self, encoding: str | None, client_encoding: str) -> Step | dict[str, Any]:
        """The step to send for the session's encoding; a map only for one with keys beside its fields."""
        step = self.step
        if self.variants and encoding is not None and encoding != client_encoding:
            step = self.variants.get(encoding, step)
        if self.beside:  # the one dict form left on the wire (Outgoing.beside)
            return {**step_to_dict(step), **self.beside}
        return step


@dataclass
class Limits:
    spool_items: int = SPOOL_STEPS
    spool_bytes: int = 128 * 1024 * 1024
    retry_first_s: float = 0.5
    retry_max_s: float = 15.0


@dataclass
class Spool:
    root: Path
    limits: Limits
    state: State = "waiting"
    link: Link | None = None
    encoding: str | None = None
    episode: str | None = None
    items: deque[Outgoing] = field(default_factory=deque)
    size: int = 0  # bytes spooled
    lost: int = 0
    lost_paths: set[str] = field(default_factory=set)
    due: Due | None = None  # a gap is due, for this reason; steps are held back (counted) until it is queued
    resync: bool = False  # the due gap carries every open document, not only those the lost steps touched
    next_attempt: float = 0.0
    delay: float = 0.0
    connected_once: bool = False
    ready: threading.Event = field(default_factory=threading.Event)
    failure: str = ""
    queued: int = 0  # steps ever spooled
    handed: int = 0  # of those, handed to the connection (or counted as lost): a request waits for its turn

    def offer(self, item: Outgoing) -> None:
        """Spool a step, or count it lost (a gap is then due) when there is no room or a gap is due."""
        if self.due is None and self._fits(item.size):
            self._put(item)
            return
        if self.due is None:
            log.error("codetape: cannot keep up with %s (%s); counting lost steps",
                      self.root, self.failure or "the collector is slow")
            self.due = "recorder_behind" if self.state == "recording" else "collector_unreachable"
        self.lose([item])

    def lose(self, items: Iterable[Outgoing]) -> None:
        """Count steps lost (with the paths they touched) for the next gap."""
        for item in items:
            self.lost += 1
            self.lost_paths.update(item.paths)

    def admit_gap(self, at_ms: int, state_provider: StateProvider) -> None:
        """Queue the gap that is due, when there is room, with the documents' state now (not while the user
        has recording stopped: its state is taken once recording starts again)."""
        if self.due is None or self.state == "stopped" or not self._fits(GAP_ROOM):
            return
        state = state_provider(self.root, None if self.resync else self.lost_paths)
        if too_large(*(s.text or "" for s in state)):
            state = []
        if self.due == "other":
            detail = "a new episode: the documents open in the editor"
        elif self.due == "paused":
            detail = "recording was stopped by you (collector stop): the documents open in the editor"
        elif self.due == "recorder_behind":
            detail = "the collector did not keep up; the spool was full"
        else:
            detail = f"the collector was unreachable: {self.failure or 'connection lost'}"
        gap = gap_step(self.due, detail, lost=self.lost or None, state=state or None)
        self._put(Outgoing(at_ms, gap, size=step_size(gap)))
        self.lost = 0
        self.lost_paths = set()
        self.due = None
        self.resync = False

    def full(self, now: float) -> bool:
        """A whole batch is ready to go."""
        ready = len(self.items) >= BATCH_ITEMS and self.items[0].hold_until <= now
        return self.state == "recording" and ready

    def take_batch(self, stopping: bool = False) -> list[Outgoing]:
        """The next steps to send, up to the first one still held (an edit whose origin may yet come)."""
        batch: list[Outgoing] = []
        size = 0
        now = math.inf if stopping else time.monotonic()  # stopping: an edit held for its origin goes now
        while self.items and len(batch) < BATCH_ITEMS and size < BATCH_BYTES:
            if self.items[0].hold_until > now:
                break
            item = self.items.popleft()
            item.taken = True
            self.size -= item.size
            size += item.size
            batch.append(item)
        return batch

    def drop(self) -> int:
        """Drop every spooled step; how many more steps are settled (not to be handed over)."""
        for item in self.items:
            item.taken = True
        self.items.clear()
        self.size = 0
        return self.queued - self.handed

    # -- the connection's state ------------------------------------------------------------------------

    def refused(self, link: Link, reason: str) -> int:
        """The collector does not record this workspace (`link` said so and is closed): nothing is kept; how
        many steps are settled."""
        link.close()
        self.state = "refused"
        self.failure = reason
        log.warning("codetape: not recording %s: %s", self.root, reason)
        settled = self.drop()
        self.lost = 0
        self.ready.set()
        return settled

    def connected(self, link: Link, episode: str, encoding: str) -> int:
        """Recording (again): after a reconnection, a gap resyncs every open document and the spooled steps
        are lost when the episode changed meanwhile; how many steps that settles."""
        settled = 0
        if self.connected_once:
            if episode != self.episode:
                self.lose(self.items)
                settled = self.drop()
            self.due = "paused" if self.due == "paused" else "collector_unreachable"
            self.resync = True
        self.link = link
        self.episode = episode
        self.encoding = encoding
        self.state = "recording"
        self.connected_once = True
        self.delay = 0.0
        self.failure = ""
        self.ready.set()
        return settled

    def retry(self, reason: str, *, once: bool) -> None:
        """Connecting or its hello failed: the next attempt after a delay that doubles (never, `once`)."""
        if self.failure != reason:
            log.warning("codetape: collector unreachable for %s: %s (retrying)", self.root, reason)
        self.state = "waiting"
        self.failure = reason
        self.delay = min(self.limits.retry_max_s, max(self.limits.retry_first_s, self.delay * 2))
        self.next_attempt = math.inf if once else time.monotonic() + self.delay
        self.ready.set()
        self.ready = threading.Event()

    def stopped(self, reason: str, *, once: bool) -> int:
        """The user stopped recording (`codetape collector stop`): nothing the editor sends is kept until
        they start it again, only counted (with the paths it touched) for the gap that opens what is
        recorded next, which holds every open document; looked at again every STOPPED_POLL_S (never,
        `once`). How many spooled steps that settles."""
        if self.state != "stopped":
            log.warning("codetape: not recording %s: %s", self.root, reason)
        self.state = "stopped"
        self.failure = reason
        self.lose(self.items)
        settled = self.drop()
        self.due = "paused"
        self.resync = True
        self.delay = 0.0
        self.next_attempt = math.inf if once else time.monotonic() + STOPPED_POLL_S
        self.ready.set()
        self.ready = threading.Event()
        return settled

    def disconnected(self, reason: str) -> None:
        """The connection is gone: waiting for the next attempt."""
        log.warning("codetape: lost the collector for %s: %s", self.root, reason)
        if self.link is not None:
            self.link.close()
        self.link = None
        self.state = "waiting"
        self.failure = reason
        self.ready = threading.Event()
        self.next_attempt = time.monotonic() + self.limits.retry_first_s

    def _fits(self, size: int) -> bool:
        return len(self.items) < self.limits.spool_items and self.size + size <= self.limits.spool_bytes

    def _put(self, item: Outgoing) -> None:
        self.items.append(item)
        self.size += item.size
        self.queued += 1
