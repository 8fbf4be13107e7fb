"""The collector daemon: one asyncio loop serving the socket, one Session per opted-in workspace.

A slow client never blocks the others: each connection has its own reader task, writes never wait on
a peer (a peer that stops reading is disconnected), and sealing runs in a worker thread. Journals left
by a crash are sealed at start; every open episode is sealed on SIGTERM/SIGINT and on `shutdown`. When an
upload destination is configured, the outbox is drained by a child process (drain.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.daemon.ahead import SealAhead
from collector.daemon.capture import StartWatchers
from collector.daemon.connection import Connection
from collector.daemon.door import Door
from collector.daemon.drain import BackgroundUpload
from collector.daemon.hellos import client_info
from collector.daemon.idle_exit import IdleExit, idle_exit_s
from collector.daemon.lost_runs import gap_step, take_lost
from collector.daemon.registry_wait import once_known
from collector.daemon.requests import Requests
from collector.daemon.rundir import Instance, claim
from collector.daemon.session import Session
from collector.daemon.started import how_started
from collector.errors import CodetapeError, CollectorError, FramingError, RegistryUnreadable, SettingsError
from collector.home import Home
from collector.journal.pending import settle as settle_pending
from collector.platform.process import raise_open_file_limit
from collector.platform.sockets import serve
from collector.protocol.clock import now_ms
from collector.protocol.framing import decode_body, is_json, read_body
from collector.protocol.messages import StepsMessage, decoded
from collector.protocol.starting import starting
from collector.redact.localnames import LocalNames
from collector.seal.journal import SealResult
from collector.sources.watchers import start_watchers
from collector.workspace.find import find_workspace, ignored_settings
from collector.workspace.registry import Registry

if TYPE_CHECKING:
    from collector.daemon.silent_hooks import SilentHooks

log = logging.getLogger("codetape.collector")


def warm_seal() -> None:
    """Load what a seal needs (the redaction modules, the scanning engine with its rules compiled) once the
    collector listens, in the background: the first `seal`, idle timeout or stop would otherwise pay it
    (seconds on a loaded machine, where the seals after it take a tenth of one)."""
    started = time.monotonic()
    try:
        from collector.redact.scanning.ruleset import RuleSet
        from collector.seal.redacted import seal_redacted  # noqa: F401 (its imports are the cost)

        RuleSet.default().scanner  # noqa: B018 (compiled once per process: engine.load is cached)
    except CodetapeError as exc:  # the seal says it again, where it counts
        log.warning("the redaction engine could not be loaded ahead: %s", exc)
        return
    log.info("redaction engine loaded for the seals (%.1f s)", time.monotonic() - started)


def default_start_watchers(home: Home) -> StartWatchers:
    """The capture sources' entry point, bound to this collector's home (whose files it never watches)."""
    return functools.partial(start_watchers, home=home)


class Collector:
    """The state of the running collector: sessions by workspace root, connected clients."""

    def __init__(self, home: Home, *, clock: Callable[[], int] = now_ms,
                 start_watchers: StartWatchers | None = None, check_interval: float = 0.2,
                 names: LocalNames | None = None, started: dict[str, Any] | None = None,
                 silent_hooks: Callable[[Path], SilentHooks] | None = None) -> None:
        self.home = home
        self.started = started  # how this process was started (daemon/started.py), when it is one
        # the home, login and host names every seal masks, read once (the seal-ahead processes read the
        # same from the environment they inherit)
        self.names = names if names is not None else LocalNames.of_this_machine()
        self.clock = clock
        self.sessions: dict[Path, Session] = {}
        self.connections: set[Connection] = set()
        self.start_watchers = start_watchers
        self.silent_hooks = silent_hooks  # a workspace's look at agents whose hook does not run
        self.check_interval = check_interval
        self.stopping = asyncio.Event()
        self.requests = Requests(self)
        self.upload = BackgroundUpload(home)
        self.ahead = SealAhead(home.episodes)
        # an autostarted collector nobody uses exits (daemon/idle_exit.py); any other runs until stopped
        self.idle_exit = IdleExit(home, idle_exit_s(started, os.environ))
        self.secret: bytes | None = None  # loopback TCP's, once serving (platform/loopback.py)
        self._unwatched = False  # the registered workspaces could not be listed at start: asked again
        self.door = Door(home.socket, None, log)  # who is let in (daemon/door.py), set again once serving

    async def serve(self, instance: Instance) -> None:
        """Serve until SIGTERM, SIGINT or `shutdown`; then seal everything and release the instance."""
        leftovers = sorted(self.home.journals.glob("*.journal")) if self.home.journals.is_dir() else []
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stopping.set)
        self.secret = instance.secret
        self.door = Door(self.home.socket, instance.secret, log)
        loop.set_exception_handler(self.door.loop_error)
        server = await serve(self._serve_client, instance.sock)
        log.info("collector %d listening on %s", os.getpid(), self.home.socket)
        recovery = asyncio.create_task(self._recover(leftovers))
        self._watch_registered()
        self._lost_runs()
        threading.Thread(target=warm_seal, name="codetape-warm-seal", daemon=True).start()
        idle = asyncio.create_task(self._idle_loop(_inode(self.home.socket)))
        try:
            await self.stopping.wait()
        finally:
            log.info("collector stopping: sealing open episodes")
            server.close()
            idle.cancel()
            await self.upload.stop()
            await self._seal_all()  # connected clients get their `sealed` events
            await recovery
            tasks = [conn.task for conn in self.connections if conn.task is not None]
            for conn in list(self.connections):
                conn.writer.close()
            if tasks:  # what the clients sent before the close is still read and recorded...
                await asyncio.wait(tasks, timeout=5.0)
            await self._seal_all()  # ...and sealed too
            self.ahead.stop_all()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)
            instance.release()
            log.info("collector stopped")

    def _watch_registered(self) -> None:
        """Start a session (and its git and file watchers) for every workspace the user opted in (again at
        each check while the registry cannot be read)."""
        try:
            roots = Registry(self.home).roots()
        except RegistryUnreadable as exc:
            if not self._unwatched:
                log.error("%s; asked again every %g s", exc, self.check_interval)
            self._unwatched = True
            return
        self._unwatched = False
        for root in roots:
            try:
                self.session_for(root)
            except CodetapeError as exc:
                log.error("%s: cannot watch: %s", root, exc)

    def _lost_runs(self) -> None:
        """A `gap` for each test run a pytest could not hand over (daemon/lost_runs.py); the notes are left
        for later while the registry cannot be read (whether their workspace is recorded is not known)."""
        try:
            Registry(self.home).registered()
        except RegistryUnreadable:
            return
        for run in take_lost(self.home.socket.parent):
            try:
                session = self.session_for(run.workspace)
            except (CollectorError, SettingsError, RegistryUnreadable):
                continue  # not a workspace recorded here: nothing was to be recorded
            now = self.clock()
            try:
                session.add(now, gap_step(run, now), source="pytest")
            except CodetapeError as exc:
                log.error("%s: %s", session.root, exc)

    async def _seal_all(self) -> None:
        for session in list(self.sessions.values()):
            try:
                await self.seal(session, closing=True)
            except CodetapeError as exc:
                log.error("%s: sealing failed: %s", session.root, exc)

    async def session_waiting(self, path: Path) -> Session:
        """`session_for`, waiting while the registry cannot be read (daemon/registry_wait.py)."""
        return await once_known(lambda: self.session_for(path))

    def session_for(self, path: Path) -> Session:
        """The session of the workspace holding `path`, created on first use; RegistryUnreadable when
        whether it is opted in is not known now."""
        root = find_workspace(path, self.home)
        if root is None:
            ignored = ignored_settings(path, self.home)
            raise CollectorError(f"not recording: {ignored[0]}" if ignored else
                                 f"workspace {path} is not opted in (run: codetape init {path})")
        session = self.sessions.get(root)
        if session is None:
            session = Session(root, self.home, clock=self.clock, start_watchers=self.start_watchers,
                              silent_hooks=self.silent_hooks(root) if self.silent_hooks is not None else None)
            self.sessions[root] = session
            log.info("%s: session started", root)
        return session

    def broadcast(self, session: Session, event: dict[str, Any]) -> None:
        """Push an event to every client connected to this session's workspace."""
        for conn in list(self.connections):
            if conn.session is session:
                conn.send({**event, "workspace": str(session.root)})

    async def seal(self, session: Session, *, closing: bool = False) -> dict[str, Any] | None:
        """Seal the session's open episode (in a worker thread) and tell its clients; None: nothing open."""
        if not closing:
            await asyncio.to_thread(session.settle)
        journal = session.close() if closing else session.detach()
        if journal is None:
            return None
        result = await asyncio.to_thread(self._seal_session, journal, session.root)
        if result is None:
            return None
        summary = {"episode": result.episode_id, "path": str(result.path), "steps": result.steps,
                   "files": result.files}
        log.info("%s: sealed %s (%d steps)", session.root, result.path, result.steps)
        self.broadcast(session, {"event": "sealed", **summary})
        return summary

    def _seal_session(self, journal: Path, workspace: Path) -> SealResult | None:
        """A closed session's journal sealed by its seal-ahead process, else from the journal."""
        sealed = self.ahead.finish(journal)
        return sealed if sealed is not None else self._seal_redacted(journal, workspace)

    def _seal_redacted(self, journal: Path, workspace: Path | None = None) -> SealResult | None:
        """Seal a journal, redacting secrets and masking local names before the episode is written
        (summary kept beside it);
        the workspace's allow-list applies when it is known (a journal recovered at start: looked up)."""
        # loaded ahead (`warm_seal`); a seal that needs the engine meanwhile waits for that load (engine.load)
        from collector.seal.redacted import seal_redacted

        settle_pending(journal)  # the steps it held when its collector was killed (journal/pending.py)
        return seal_redacted(journal, self.home.ensure(self.home.episodes), workspace=workspace,
                             home=self.home, names=self.names)

    async def _recover(self, journals: list[Path]) -> None:
        for journal in journals:
            try:
                result = await asyncio.to_thread(self._seal_redacted, journal)
            except CodetapeError as exc:
                log.error("recovering %s failed: %s", journal, exc)
                continue
            log.info("recovered %s: %s", journal.name, result.path if result else "nothing recorded")

    async def _idle_loop(self, socket_inode: int | None) -> None:
        while True:
            await asyncio.sleep(self.check_interval)
            if self._unwatched:
                self._watch_registered()
            if _inode(self.home.socket) != socket_inode:
                log.warning("%s was removed or replaced: stopping", self.home.socket)
                self.stopping.set()
                return
            self.upload.poke()
            busy = bool(self.connections) or self.upload.pending or any(
                session.has_episode for session in self.sessions.values())
            if self.idle_exit.due(busy=busy):
                log.info("no client, no open episode and nothing in the outbox for %.0f s: exiting (the next "
                         "client starts a collector again)", self.idle_exit.after_s or 0)
                self.stopping.set()
                return
            now = time.monotonic()
            for session in list(self.sessions.values()):
                session.tick()
                self.ahead.follow(session)
                idle = session.idle_for(now)
                if idle is not None and idle >= session.policy.settings.idle_timeout_s:
                    log.info("%s: idle for %.0f s", session.root, idle)
                    try:
                        await self.seal(session)
                    except CodetapeError as exc:
                        log.error("%s: sealing failed: %s", session.root, exc)

    async def _serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not await self.door.admit(reader, writer):
            return
        conn = Connection(writer)
        self.connections.add(conn)
        try:
            while (body := await read_body(reader)) is not None:
                if conn.as_json is None:
                    conn.as_json = is_json(body)
                typed = None if conn.as_json else decoded(body)  # a bridge's steps: structs at once
                if typed is None:
                    await self._dispatch(conn, decode_body(body))
                elif isinstance(typed, StepsMessage):
                    await self._steps(conn, typed.items)
                else:
                    await self._steps(conn, [(typed.at, typed.step)])
        except FramingError as exc:
            conn.send({"ok": False, "error": str(exc)})
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.connections.discard(conn)
            for session in list(self.sessions.values()):
                session.release(conn)  # a bridge gone: its documents are closed
            writer.close()

    async def _dispatch(self, conn: Connection, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "step":
            await self._steps(conn, [(message.get("at"), message.get("step"))])
            return
        if op == "steps":
            items = message.get("items")
            if isinstance(items, list):
                await self._steps(conn, list(map(_pair, items)))
            return
        reply: dict[str, Any] = {"id": message.get("id")}
        try:
            if op == "hello":
                reply.update(await self.hello(conn, message))
            else:
                reply.update(ok=True, result=await self.requests.handle(conn, str(op), message))
        except (CodetapeError, OSError) as exc:
            reply.update(ok=False, error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        conn.send(reply)

    async def hello(self, conn: Connection, message: dict[str, Any]) -> dict[str, Any]:
        source = message.get("source")
        conn.source = source if isinstance(source, str) and source else "client"
        workspace = message.get("workspace")
        if not isinstance(workspace, str) or not os.path.isabs(workspace):
            raise CollectorError("hello needs the absolute path of the workspace")
        conn.session = None
        self._lost_runs()  # a pytest that gave up waiting just before the collector listened
        try:
            session = await self.session_waiting(Path(workspace))
        except (CollectorError, SettingsError) as exc:
            return {"ok": True, "recording": False, "reason": str(exc)}
        conn.session = session
        conn.client = client_info(message.get("client"), session.root) or conn.client
        encoding = session.hello(message.get("client"), message.get("position_encoding"))
        session.check_settings()
        return {"ok": True, "recording": True, "workspace": str(session.root),
                "episode": session.status()["episode"] or str(session.next_episode_id),
                "paused": session.paused_at is not None, "position_encoding": encoding,
                "problem": session.problem}

    async def _steps(self, conn: Connection, items: Sequence[tuple[object, object]]) -> None:
        """Record a connection's steps ((at_ms, a `Step` or a map) each), in order."""
        session = conn.session
        if session is None:
            return
        if conn.source in ("agent", "acp"):
            # what an agent's tool wrote is stamped once the watcher saw it settle: let the watchers record
            # it now, so that it comes before the agent's next hook or ACP update (agent_claims.py)
            await asyncio.to_thread(session.settle)
        try:
            if len(items) == 1:
                session.add(*items[0], source=conn.source, owner=conn)
            else:
                session.add_many(items, source=conn.source, owner=conn)
        except CodetapeError as exc:
            log.error("%s: %s", session.root, exc)


def _pair(item: object) -> tuple[object, object]:
    """(at_ms, step) of one item of a `steps` message: `[at, step]`, or a bare step without a time."""
    return (item[0], item[1]) if isinstance(item, list) and len(item) == 2 else (None, item)


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def run_collector(home: Home, *, check_interval: float = 0.2) -> None:
    """Run the collector in the foreground until it is stopped; AlreadyRunning when one lives."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    os.umask(0o077)  # journals, episodes and logs are the developer's alone
    started = how_started(os.environ, os.getpid(), os.getppid())
    # every client holds a connection, and anyone may open one on loopback TCP (bounded: daemon/door.py)
    limit = raise_open_file_limit()
    with starting(home):  # until it listens: a pytest ending meanwhile waits (protocol/starting.py)
        instance = claim(home)
    # psutil and the agents' settings: loaded once the collector has claimed its home, not by `status`
    from collector.daemon.silent_hooks import SilentHooks

    collector = Collector(home, start_watchers=default_start_watchers(home), check_interval=check_interval,
                          started=started, silent_hooks=functools.partial(SilentHooks, env=dict(os.environ)))
    if limit is not None:
        log.info("open files: up to %d", limit)
    asyncio.run(collector.serve(instance))
    # sealed and released: the interpreter's last collection at exit, over everything the daemon loaded (the
    # redaction engine's rules, every module), is work for nobody (a second of a stop at load 10)
    gc.freeze()
