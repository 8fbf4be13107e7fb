"""The recorder: hands steps to the collector from a background thread, one session per workspace.

`record` never blocks and never raises: it appends to the workspace's in-memory spool (no disk) under a
lock and returns. The recorder thread connects (starting the collector if asked), says `hello`, and
drains the spool; while the collector is unreachable the spool keeps up to its bounds and counts what
it could not keep. When there is room again, the next step is preceded by one `gap` step with the count
and the current text of every file the lost steps touched, so replay stays exact across the hole.

A request (a note, a task, a seal) waits, briefly, until the steps the editor sent before it have been
handed to the connection, so the collector sees them in the editor's order.

Steps carry positions in the editor's encoding, plus variants for the other encodings when they
differ; the session's encoding (from `hello`) picks which one is sent.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from collector.errors import CollectorError
from collector.protocol.clock import now_ms
from lsp_bridge.arguments import SPOOL_STEPS
from lsp_bridge.translate import gap_step, step_size, too_large

log = logging.getLogger(__name__)

BATCH_ITEMS = 512
PACE_S = 0.02  # the recorder thread wakes this often (or when a batch is full), not once per step
IDLE_PACE_S = 0.2  # and this often when nothing is spooled (collector events wait at most this long)
TURN_WAIT_S = 2.0  # a request waits at most this long for the steps sent before it to be handed over
# and this long for a first hello still under way (a failed attempt wakes it at once, with the reason)
CONNECT_WAIT_S = 30.0
BATCH_BYTES = 2 * 1024 * 1024  # characters: at most 8 MiB of UTF-8, below the 16 MiB message cap


class Link(Protocol):
    """What the recorder needs from a collector connection (collector.protocol.client.Client)."""

    @property
    def closed(self) -> bool: ...

    def hello(self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
              position_encoding: str | None = None) -> dict[str, Any]: ...

    def send_steps(self, items: list[tuple[int, dict[str, Any]]]) -> None: ...

    def request(self, op: str, **args: Any) -> Any: ...

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None: ...

    def close(self) -> None: ...


Connect = Callable[[], Link]
StateProvider = Callable[[Path, set[str] | None], list[dict[str, Any]]]
EventHandler = Callable[[Path, dict[str, Any]], None]


@dataclass(slots=True)
class Outgoing:
    at_ms: int
    step: dict[str, Any]
    variants: dict[str, dict[str, Any]] | None = None
    paths: tuple[str, ...] = ()
    size: int = 0
    hold_until: float = 0.0  # (monotonic s) spooled until then unless amended (lsp_bridge/origins.py)
    taken: bool = False  # handed to the connection (or lost): amending it is too late


@dataclass
class Limits:
    spool_items: int = SPOOL_STEPS
    spool_bytes: int = 128 * 1024 * 1024
    retry_first_s: float = 0.5
    retry_max_s: float = 15.0


@dataclass
class _Session:
    root: Path
    state: str = "waiting"  # waiting | recording | refused
    link: Link | None = None
    encoding: str | None = None
    episode: str | None = None
    spool: deque[Outgoing] = field(default_factory=deque)
    spool_bytes: int = 0
    lost: int = 0
    lost_paths: set[str] = field(default_factory=set)
    due: str | None = None  # a gap is due, for this reason; steps are held back (counted) until it is queued
    resync: bool = False  # the due gap carries every open document, not only those the lost steps touched
    next_attempt: float = 0.0
    delay: float = 0.0
    connected_once: bool = False
    ready: threading.Event = field(default_factory=threading.Event)
    failure: str = ""
    queued: int = 0  # steps ever spooled
    handed: int = 0  # of those, handed to the connection (or counted as lost): a request waits for its turn


class Recorder:
    """One per bridge. `record`, `request` and `flush` are called from the bridge's thread."""

    def __init__(self, connect: Connect, *, source: str = "bridge", limits: Limits | None = None,
                 clock: Callable[[], int] | None = None) -> None:
        self._connect = connect
        self._source = source
        self.limits = limits or Limits()
        self._clock = clock or now_ms
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._sessions: dict[Path, _Session] = {}
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._requests = ThreadPoolExecutor(max_workers=2, thread_name_prefix="codetape-request")
        self._asked: set[Future[Any]] = set()  # requests not answered yet: `flush` lets them finish first
        self._seen_events: set[str] = set()
        self.client_info: dict[str, Any] | None = None
        self.encoding: str = "utf-16"
        self.state_provider: StateProvider = lambda root, paths: []
        self.on_event: EventHandler = lambda root, event: None

    # -- the bridge's side ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="codetape-recorder", daemon=True)
        self._thread.start()

    def configure(self, *, encoding: str, client_info: dict[str, Any] | None) -> None:
        """The editor's position encoding and clientInfo, known after `initialize`."""
        with self._lock:
            self.encoding = encoding
            self.client_info = client_info

    def open(self, root: Path) -> None:
        """Start a session for a workspace now (so its `sealed` events arrive before any step)."""
        with self._lock:
            self._session(root)
            self._wake.notify()

    def encodings_for(self, root: Path) -> tuple[str, ...]:
        """The encodings a step for this workspace may have to be sent in besides the editor's: none
        once its session is known to share the editor's encoding, else all of them."""
        with self._lock:
            session = self._sessions.get(root)
            if session is not None and session.state == "recording" and session.encoding == self.encoding:
                return ()
        return ("utf-8", "utf-16", "utf-32")

    def roots(self) -> list[Path]:
        with self._lock:
            return [s.root for s in self._sessions.values() if s.state != "refused"]

    def states(self) -> list[tuple[Path, str, str]]:
        """(root, waiting | recording | refused, why it is not recording) for every session."""
        with self._lock:
            return [(s.root, s.state, s.failure) for s in self._sessions.values()]

    def record(self, root: Path, item: Outgoing) -> None:
        """Queue one step for a workspace. Never blocks on the collector, never raises."""
        if not item.size:
            item.size = step_size(item.step)
        with self._lock:
            session = self._session(root)
            if session.state == "refused":
                return
            if session.due is None and self._fits(session, item.size):
                self._spool(session, item)
            else:
                if session.due is None:
                    log.error("codetape: cannot keep up with %s (%s); counting lost steps",
                              root, session.failure or "the collector is slow")
                    behind = session.state == "recording"
                    session.due = "recorder_behind" if behind else "collector_unreachable"
                session.lost += 1
                session.lost_paths.update(item.paths)
            if len(session.spool) == BATCH_ITEMS:
                self._wake.notify()

    def amend(self, item: Outgoing, **fields: Any) -> bool:
        """Give a spooled step (and its variants) more fields and let it go; False when it has gone."""
        with self._lock:
            if item.taken:
                return False
            for step in (item.step, *(item.variants or {}).values()):
                step.update(fields)
            item.hold_until = 0.0
            self._wake.notify()
            return True

    def admit(self, at_ms: int) -> None:
        """Queue the gaps that are due (where there is room again), with the documents' state now.

        The bridge calls this before it changes any tracked document, so a gap's state is the text
        right after the steps it replaces; steps are held back while a gap is due.
        """
        with self._lock:
            for session in self._sessions.values():
                if session.state != "refused":
                    self._admit_pending_gap(session, at_ms)

    def record_everywhere(self, at_ms: int, step: dict[str, Any]) -> None:
        """A step (a gap) for every workspace with a session."""
        for root in self.roots():
            self.record(root, Outgoing(at_ms, step))

    def flush(self, timeout: float = 3.0) -> None:
        """Emit pending gaps, hand every spool to the collector and let the requests asked finish (bounded
        wait), close the connections."""
        deadline = time.monotonic() + timeout
        with self._lock:
            for session in self._sessions.values():
                if session.state != "refused":
                    self._admit_pending_gap(session, self._clock())
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            asked = set(self._asked)
        if asked:  # a note or task the editor sent just before it exits still reaches the collector
            wait(asked, max(0.0, deadline - time.monotonic()))
        with self._lock:
            for session in self._sessions.values():
                left = len(session.spool) + session.lost
                if left and session.state != "refused":
                    log.error("codetape: %d steps for %s were not recorded: %s", left, session.root,
                              session.failure or "the collector did not take them in time")
                if session.link is not None:
                    link, session.link = session.link, None
                    link.close()
        self._requests.shutdown(wait=False, cancel_futures=True)

    def request(self, op: str, root: Path | None, **args: Any) -> Future[Any]:
        """Send a request to the collector over the workspace's connection; the future holds the result."""
        with self._lock:
            if root is None:
                live = [s for s in self._sessions.values() if s.state == "recording"]
                candidates = live or [s for s in self._sessions.values() if s.state == "waiting"]
                session = candidates[0] if candidates else None
            else:
                session = self._session(root)
            self._wake.notify_all()
            turn = session.queued if session is not None else 0
        if session is None:
            failed: Future[Any] = Future()
            reason = "no workspace of this editor is opted in (run: codetape init)"
            failed.set_exception(CollectorError(reason))
            return failed
        future = self._requests.submit(self._request, session, op, args, turn)
        with self._lock:
            self._asked.add(future)
        future.add_done_callback(self._answered)
        return future

    def _answered(self, future: Future[Any]) -> None:
        with self._lock:
            self._asked.discard(future)

    def ask(self, op: str, root: Path, **args: Any) -> Any:
        """Like `request`, answered in the calling thread (one of the caller's own, never the bridge's), so
        that a caller polling the collector never takes a worker from the editor's requests."""
        with self._lock:
            session = self._sessions.get(root)
        if session is None:
            raise CollectorError(f"no session for {root}")
        return self._request(session, op, args)

    # -- internals (lock held unless noted) ----------------------------------------------------------

    def _session(self, root: Path) -> _Session:
        session = self._sessions.get(root)
        if session is None:
            session = self._sessions[root] = _Session(root)
        return session

    def _fits(self, session: _Session, size: int) -> bool:
        return (len(session.spool) < self.limits.spool_items
                and session.spool_bytes + size <= self.limits.spool_bytes)

    def _admit_pending_gap(self, session: _Session, at_ms: int) -> None:
        if session.due is None or not self._fits(session, 4096):
            return
        state = self.state_provider(session.root, None if session.resync else session.lost_paths)
        if too_large(*(s.get("text") or "" for s in state)):
            state = []
        if session.due == "other":
            detail = "a new episode: the documents open in the editor"
        elif session.due == "recorder_behind":
            detail = "the collector did not keep up; the spool was full"
        else:
            detail = f"the collector was unreachable: {session.failure or 'connection lost'}"
        gap = gap_step(session.due, detail, lost=session.lost or None, state=state or None)
        size = step_size(gap)
        self._spool(session, Outgoing(at_ms, gap, size=size))
        session.lost = 0
        session.lost_paths = set()
        session.due = None
        session.resync = False

    def _request(self, session: _Session, op: str, args: dict[str, Any], turn: int = 0) -> Any:
        """(request thread) Wait briefly for the session's connection and for the steps the editor sent
        before the request (`turn` of them) to be handed over, so the collector sees them first; then ask."""
        session.ready.wait(CONNECT_WAIT_S)
        with self._lock:
            self._wake.wait_for(lambda: session.handed >= turn or session.state != "recording", TURN_WAIT_S)
        link = session.link
        if session.state == "refused":
            raise CollectorError(f"not recording {session.root}: {session.failure}")
        if link is None or link.closed:
            raise CollectorError(f"collector unreachable: {session.failure or 'not connected yet'}")
        return link.request(op, **args)

    # -- the recorder thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stopping and not self._full():
                    busy = any(s.spool for s in self._sessions.values())
                    self._wake.wait(PACE_S if busy else IDLE_PACE_S)
                stopping = self._stopping
                sessions = list(self._sessions.values())
            for session in sessions:
                self._serve(session, stopping)
            self._poll_events(sessions)
            if stopping:
                with self._lock:
                    if not any(s.spool and s.state == "recording" for s in self._sessions.values()):
                        return

    def _full(self) -> bool:
        now = time.monotonic()
        return any(s.state == "recording" and len(s.spool) >= BATCH_ITEMS and s.spool[0].hold_until <= now
                   for s in self._sessions.values())

    def _serve(self, session: _Session, stopping: bool) -> None:
        if session.state == "waiting" and time.monotonic() >= session.next_attempt:
            self._hello(session, once=stopping)
        if session.state != "recording":
            return
        link = session.link
        assert link is not None
        while True:
            with self._lock:
                batch = self._take_batch(session, stopping)
                encoding = session.encoding
                client_encoding = self.encoding
            if not batch:
                return
            items = [(item.at_ms, _pick(item, encoding, client_encoding)) for item in batch]
            try:
                if link.closed:
                    raise CollectorError("the collector closed the connection")
                link.send_steps(items)
            except CollectorError as exc:
                with self._lock:
                    session.lost += len(batch)
                    session.due = "collector_unreachable"
                    for item in batch:
                        session.lost_paths.update(item.paths)
                    self._disconnected(session, str(exc))
                    self._handed(session, len(batch))
                return
            with self._lock:
                self._handed(session, len(batch))

    def _spool(self, session: _Session, item: Outgoing) -> None:
        session.spool.append(item)
        session.spool_bytes += item.size
        session.queued += 1

    def _drop_spool(self, session: _Session) -> None:
        for item in session.spool:
            item.taken = True
        session.spool.clear()
        session.spool_bytes = 0
        self._handed(session, session.queued - session.handed)

    def _handed(self, session: _Session, count: int) -> None:
        """`count` more spooled steps are with the connection, or settled otherwise (lock held)."""
        session.handed += count
        self._wake.notify_all()

    def _take_batch(self, session: _Session, stopping: bool = False) -> list[Outgoing]:
        """The next steps to send, up to the first one still held (an edit whose origin may yet come)."""
        batch: list[Outgoing] = []
        size = 0
        now = math.inf if stopping else time.monotonic()  # stopping: an edit held for its origin goes now
        while session.spool and len(batch) < BATCH_ITEMS and size < BATCH_BYTES:
            if session.spool[0].hold_until > now:
                break
            item = session.spool.popleft()
            item.taken = True
            session.spool_bytes -= item.size
            size += item.size
            batch.append(item)
        return batch

    def _hello(self, session: _Session, *, once: bool) -> None:
        """(recorder thread) Connect and say hello; on failure schedule the next attempt."""
        try:
            link = self._connect()
        except CollectorError as exc:
            self._retry(session, str(exc), once)
            return
        try:
            with self._lock:
                client, encoding = self.client_info, self.encoding
            reply = link.hello(session.root, self._source, client=client, position_encoding=encoding)
        except CollectorError as exc:
            link.close()
            self._retry(session, str(exc), once)
            return
        with self._lock:
            if not reply.get("recording"):
                session.state = "refused"
                session.failure = str(reply.get("reason") or "not recording")
                log.warning("codetape: not recording %s: %s", session.root, session.failure)
                self._drop_spool(session)
                session.lost = 0
                link.close()
                session.ready.set()
                return
            episode = str(reply.get("episode") or "")
            if session.connected_once:
                if episode != session.episode:
                    session.lost += len(session.spool)
                    for item in session.spool:
                        session.lost_paths.update(item.paths)
                    self._drop_spool(session)
                session.due = "collector_unreachable"
                session.resync = True
            session.link = link
            session.episode = episode
            session.encoding = str(reply.get("position_encoding") or self.encoding)
            session.state = "recording"
            session.connected_once = True
            session.delay = 0.0
            session.failure = ""
            session.ready.set()
        log.info("codetape: recording %s (episode %s, %s positions)", session.root, episode, session.encoding)

    def _retry(self, session: _Session, reason: str, once: bool) -> None:
        with self._lock:
            if session.failure != reason:
                log.warning("codetape: collector unreachable for %s: %s (retrying)", session.root, reason)
            session.failure = reason
            session.delay = min(self.limits.retry_max_s, max(self.limits.retry_first_s, session.delay * 2))
            session.next_attempt = time.monotonic() + session.delay
            if once:
                session.next_attempt = float("inf")
            session.ready.set()
            session.ready = threading.Event()

    def _disconnected(self, session: _Session, reason: str) -> None:
        log.warning("codetape: lost the collector for %s: %s", session.root, reason)
        if session.link is not None:
            session.link.close()
        session.link = None
        session.state = "waiting"
        session.failure = reason
        session.ready = threading.Event()
        session.next_attempt = time.monotonic() + self.limits.retry_first_s

    def _poll_events(self, sessions: list[_Session]) -> None:
        for session in sessions:
            link = session.link
            if link is None or session.state != "recording":
                continue
            if link.closed:
                with self._lock:
                    self._disconnected(session, "the collector closed the connection")
                continue
            while (event := link.next_event(0)) is not None:
                self._dispatch(session, event)

    def _dispatch(self, session: _Session, event: dict[str, Any]) -> None:
        if event.get("event") == "sealed":
            workspace = event.get("workspace")
            if workspace is not None and Path(str(workspace)) != session.root:
                return
            key = str(event.get("episode"))
            if key in self._seen_events:
                return
            self._seen_events.add(key)
            with self._lock:  # the collector writes open documents into the next episode where touched
                session.episode = None
        try:
            self.on_event(session.root, event)
        except Exception:
            log.exception("codetape: handling the collector event %r failed", event.get("event"))


def _pick(item: Outgoing, encoding: str | None, client_encoding: str) -> dict[str, Any]:
    if item.variants and encoding is not None and encoding != client_encoding:
        return item.variants.get(encoding, item.step)
    return item.step
