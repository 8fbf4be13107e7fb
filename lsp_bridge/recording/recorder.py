"""The recorder: hands steps to the collector from a background thread, one session per workspace.

`record` never blocks and never raises: it appends to the workspace's in-memory spool (spool.py: the
spool's bounds, its lost steps and gap, its connection's state; no disk) under a lock and returns. The
recorder thread connects (starting the collector if asked), says `hello`, and drains the spool; while
the collector is unreachable the spool keeps up to its bounds and counts what it could not keep. When
there is room again, the next step is preceded by one `gap` step with the count and the current text of
every file the lost steps touched, so replay stays exact across the hole.

A request (a note, a task, a seal) waits, briefly, until the steps the editor sent before it have been
handed to the connection, so the collector sees them in the editor's order.

Steps carry positions in the editor's encoding, plus variants for the other encodings when they
differ; the session's encoding (from `hello`) picks which one is sent.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from collector.errors import CollectorError, StoppedByYou
from collector.protocol.clock import now_ms
from lsp_bridge.recording.spool import BATCH_ITEMS, Limits, Link, Outgoing, Spool, StateProvider
from lsp_bridge.steps.translate import step_size
from schemas.steps import FileState, Step

log = logging.getLogger(__name__)

PACE_S = 0.02  # the recorder thread wakes this often (or when a batch is full), not once per step
IDLE_PACE_S = 0.2  # and this often when nothing is spooled (collector events wait at most this long)
HAND_OVER_S = 2.0  # an editor's shutdown waits at most this long for its steps to be handed over
TURN_WAIT_S = 2.0  # a request waits at most this long for the steps sent before it to be handed over
# and this long for a first hello still under way (a failed attempt wakes it at once, with the reason)
CONNECT_WAIT_S = 30.0

Connect = Callable[[], Link]
EventHandler = Callable[[Path, dict[str, Any]], None]


class Recorder:
    """One per bridge. `record`, `request` and `flush` are called from the bridge's thread."""

    def __init__(self, connect: Connect, *, state: StateProvider | None = None, source: str = "bridge",
                 limits: Limits | None = None, clock: Callable[[], int] | None = None) -> None:
        """`state` gives the current text of the tracked documents for a gap's state (the bridge's
        `TrackedDocuments.file_states`, documents/tracked.py); without it (acp) a gap carries none."""
        self._connect = connect
        self._state: StateProvider = state or _untracked
        self._source = source
        self.limits = limits or Limits()
        self._clock = clock or now_ms
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._sessions: dict[Path, Spool] = {}
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._requests = ThreadPoolExecutor(max_workers=2, thread_name_prefix="codetape-request")
        self._asked: set[Future[Any]] = set()  # requests not answered yet: `flush` lets them finish first
        self._seen_events: set[str] = set()
        self._unplaced: list[Outgoing] = []  # gaps from before any session (record_everywhere)
        self.client_info: dict[str, Any] | None = None
        self.encoding: str = "utf-16"
        self.on_event: EventHandler = lambda root, event: None

    # -- the bridge's side ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="codetape-recorder", daemon=True)
        self._thread.start()

    @property
    def stopping(self) -> bool:
        """Whether the last flush began: the editor's connection is gone (or the bridge exits)."""
        return self._stopping

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
        """(root, waiting | recording | refused | stopped, why it is not recording) for every session."""
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
            session.offer(item)
            if len(session.items) == BATCH_ITEMS:
                self._wake.notify()

    def amend(self, item: Outgoing, variants: dict[str, dict[str, Any]] | None = None, **fields: Any) -> bool:
        """Give a spooled step (and its variants) more fields and let it go; False when it has gone. The
        steps are frozen: the item holds the amended copies (`fields` as the step type's, unchecked;
        `variants`: fields of each variant's own, over `fields`)."""
        with self._lock:
            if item.taken:
                return False
            item.step = replace(item.step, **fields)
            if item.variants:
                item.variants = {each: replace(step, **(fields | (variants or {}).get(each, {})))
                                 for each, step in item.variants.items()}
            item.hold_until = 0.0
            self._wake.notify()
            return True

    def release(self, item: Outgoing) -> None:
        """Let a spooled step that was held go as it is."""
        with self._lock:
            if not item.taken and item.hold_until:
                item.hold_until = 0.0
                self._wake.notify()

    def admit(self, at_ms: int) -> None:
        """Queue the gaps that are due (where there is room again), with the documents' state now.

        The bridge calls this before it changes any tracked document, so a gap's state is the text
        right after the steps it replaces; steps are held back while a gap is due.
        """
        with self._lock:
            for session in self._sessions.values():
                if session.state != "refused":
                    session.admit_gap(at_ms, self._state)

    def record_everywhere(self, at_ms: int, step: Step) -> None:
        """A step (a gap) for every workspace with a session; with none yet, for the first to start (what
        was lost may be its start: the `initialize` answer that opens it, its first didOpen)."""
        with self._lock:
            if not self._sessions:
                self._unplaced.append(Outgoing(at_ms, step, size=step_size(step)))
                return
        for root in self.roots():
            self.record(root, Outgoing(at_ms, step))

    def hand_over(self, timeout: float = HAND_OVER_S) -> bool:
        """Hand every step spooled so far to the collector now, those held for their origin included, and
        wait until the connection has them (at most `timeout`); the recorder goes on. For an editor about
        to go that may not wait for its servers' exit (Helix kills them once `shutdown` is answered: proxy
        mode holds that answer for this). True when every session's steps were handed in time."""
        with self._lock:
            turns = [(session, session.queued) for session in self._sessions.values()]
            for session, _ in turns:
                for item in session.items:
                    item.hold_until = 0.0
            self._wake.notify_all()
            return self._wake.wait_for(lambda: all(
                session.handed >= turn or session.state != "recording"  # (unconnected: nothing to wait for)
                for session, turn in turns), timeout)

    def flush(self, timeout: float = 3.0) -> None:
        """Emit pending gaps, hand every spool to the collector and let the requests asked finish (bounded
        wait), close the connections."""
        deadline = time.monotonic() + timeout
        with self._lock:
            for session in self._sessions.values():
                if session.state != "refused":
                    session.admit_gap(self._clock(), self._state)
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
                left = len(session.items) + session.lost
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

    def tell(self, op: str, **args: Any) -> None:
        """Send a request of no workspace's (what the bridge saw outside them all, for `codetape status`)
        over a connection of its own, its answer unread; a collector that cannot be reached is not told."""
        self._requests.submit(self._tell, op, args)

    def _tell(self, op: str, args: dict[str, Any]) -> None:
        try:
            with contextlib.closing(self._connect()) as link:
                link.request(op, **args)
        except CollectorError as exc:  # (StoppedByYou too)
            log.debug("codetape: the collector was not told %s: %s", op, exc)

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

    def _session(self, root: Path) -> Spool:
        session = self._sessions.get(root)
        if session is None:
            session = self._sessions[root] = Spool(root, self.limits)
            for item in self._unplaced:
                session.offer(item)
            self._unplaced.clear()
        return session

    def _request(self, session: Spool, op: str, args: dict[str, Any], turn: int = 0) -> Any:
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
                    busy = any(s.items for s in self._sessions.values())
                    self._wake.wait(PACE_S if busy else IDLE_PACE_S)
                stopping = self._stopping
                sessions = list(self._sessions.values())
            for session in sessions:
                self._serve(session, stopping)
            self._poll_events(sessions)
            if stopping:
                with self._lock:
                    if not any(s.items and s.state == "recording" for s in self._sessions.values()):
                        return

    def _full(self) -> bool:
        now = time.monotonic()
        return any(session.full(now) for session in self._sessions.values())

    def _serve(self, session: Spool, stopping: bool) -> None:
        if session.state in ("waiting", "stopped") and time.monotonic() >= session.next_attempt:
            self._hello(session, once=stopping)
        if session.state != "recording":
            return
        link = session.link
        assert link is not None
        while True:
            with self._lock:
                batch = session.take_batch(stopping)
                encoding = session.encoding
                client_encoding = self.encoding
            if not batch:
                return
            items = [(item.at_ms, item.for_session(encoding, client_encoding)) for item in batch]
            try:
                if link.closed:
                    raise CollectorError("the collector closed the connection")
                link.send_steps(items)
            except CollectorError as exc:
                with self._lock:
                    session.lose(batch)
                    session.due = "collector_unreachable"
                    session.disconnected(str(exc))
                    self._handed(session, len(batch))
                return
            with self._lock:
                self._handed(session, len(batch))

    def _handed(self, session: Spool, count: int) -> None:
        """`count` more spooled steps are with the connection, or settled otherwise (lock held)."""
        session.handed += count
        self._wake.notify_all()

    def _hello(self, session: Spool, *, once: bool) -> None:
        """(recorder thread) Connect and say hello; on failure schedule the next attempt."""
        try:
            link = self._connect()
        except StoppedByYou as exc:
            with self._lock:
                self._handed(session, session.stopped(str(exc), once=once))
            return
        except CollectorError as exc:
            with self._lock:
                session.retry(str(exc), once=once)
            return
        try:
            with self._lock:
                client, encoding = self.client_info, self.encoding
            reply = link.hello(session.root, self._source, client=client, position_encoding=encoding)
        except CollectorError as exc:
            link.close()
            with self._lock:
                session.retry(str(exc), once=once)
            return
        with self._lock:
            if not reply.get("recording"):
                self._handed(session, session.refused(link, str(reply.get("reason") or "not recording")))
                return
            episode = str(reply.get("episode") or "")
            encoding = str(reply.get("position_encoding") or self.encoding)
            self._handed(session, session.connected(link, episode, encoding))
        log.info("codetape: recording %s (episode %s, %s positions)", session.root, episode, session.encoding)

    def _poll_events(self, sessions: list[Spool]) -> None:
        for session in sessions:
            link = session.link
            if link is None or session.state != "recording":
                continue
            if link.closed:
                with self._lock:
                    session.disconnected("the collector closed the connection")
                continue
            while (event := link.next_event(0)) is not None:
                self._dispatch(session, event)

    def _dispatch(self, session: Spool, event: dict[str, Any]) -> None:
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


def _untracked(root: Path, paths: set[str] | None) -> list[FileState]:
    return []

