"""The collector's answered requests (`{"op", "id", ...}`), one method each (docs/collector-protocol.md)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from collector.episode import open_episode
from collector.errors import CollectorError, EpisodeError
from collector.held import count as held_count
from collector.workspace.find import find_workspace
from schemas.limits import SHORT_TEXT_MAX

if TYPE_CHECKING:
    from collector.daemon.connection import Connection
    from collector.daemon.idle_exit import IdleExit
    from collector.daemon.session import Session
    from collector.home import Home

OUTCOMES = ("pass", "fail", "abandoned")


class _Upload(Protocol):
    failure: str | None


class Collector(Protocol):
    """What the requests use of the running collector (collector/daemon/server.py `Collector`)."""

    home: Home
    clock: Callable[[], int]
    sessions: dict[Path, Session]
    upload: _Upload
    stopping: asyncio.Event
    started: dict[str, Any] | None
    idle_exit: IdleExit

    def session_for(self, path: Path) -> Session: ...

    async def session_waiting(self, path: Path) -> Session: ...

    def broadcast(self, session: Session, event: dict[str, Any]) -> None: ...

    async def seal(self, session: Session, *, closing: bool = False) -> dict[str, Any] | None: ...


UNRECORDED_KEPT = 50  # documents a bridge said it does not record, the latest kept for `codetape status`


class Requests:
    """Dispatches one request to its handler; handlers raise CollectorError with a one-line reason."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.unrecorded: dict[str, str] = {}  # absolute path -> why (op_unrecorded), the latest last

    async def handle(self, conn: Connection, op: str, args: dict[str, Any]) -> Any:
        handler = getattr(self, f"op_{op}", None) if op.isidentifier() else None
        if handler is None:
            raise CollectorError(f"unknown request {op[:64]!r}")
        return await handler(conn, args)

    async def _session(self, conn: Connection, args: dict[str, Any]) -> Session:
        workspace = args.get("workspace")
        if workspace is None:
            if conn.session is None:
                raise CollectorError("no workspace given and this connection's hello named no recording one")
            return conn.session
        if not isinstance(workspace, str) or not os.path.isabs(workspace):
            raise CollectorError("workspace must be an absolute path")
        return await self.collector.session_waiting(Path(workspace))

    async def _recording(self, conn: Connection, args: dict[str, Any]) -> Session:
        """The session a request records a step into; CollectorError (`not recording: FILE:LINE: what`)
        while its settings cannot be used."""
        session = await self._session(conn, args)
        session.check_settings()
        if session.problem is not None:
            raise CollectorError(f"not recording: {session.problem}")
        return session

    def _text(self, args: dict[str, Any], key: str) -> str:
        value = args.get(key)
        if not isinstance(value, str) or not value.strip():
            raise CollectorError(f"{key} must be a non-empty string")
        if len(value) > SHORT_TEXT_MAX:
            what = {"text": "note", "statement": "task statement"}.get(key, key)
            raise CollectorError(f"the {what} is {len(value):,} characters long; at most {SHORT_TEXT_MAX:,} "
                                 "are recorded, so shorten it")
        return value

    async def op_status(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        sessions = sorted(self.collector.sessions.values(), key=lambda s: str(s.root))
        for session in sessions:
            session.check_settings()
        return {"pid": os.getpid(), "socket": str(self.collector.home.socket),
                "started": self.collector.started, "idle_exit_s": self.collector.idle_exit.after_s,
                "workspaces": [session.status() for session in sessions],
                "upload_error": self.collector.upload.failure, "held": held_count(self.collector.home),
                "unrecorded": await asyncio.to_thread(self._still_unrecorded)}

    async def op_unrecorded(self, conn: Connection, args: dict[str, Any]) -> None:
        """A document an editor opened that nothing records, as its bridge saw it (a notebook in no
        opted-in workspace), kept for `codetape status` while it stays outside them."""
        path, why = args.get("path"), args.get("why")
        if not isinstance(path, str) or not os.path.isabs(path) or len(path) > 4096:
            raise CollectorError("path must be an absolute path")
        if not isinstance(why, str) or not 0 < len(why) <= 200:
            raise CollectorError("why must be a short text")
        self.unrecorded.pop(path, None)
        self.unrecorded[path] = why
        while len(self.unrecorded) > UNRECORDED_KEPT:
            del self.unrecorded[next(iter(self.unrecorded))]

    def _still_unrecorded(self) -> list[dict[str, str]]:
        """(a thread: reads the disk) The documents said unrecorded that are still in no opted-in
        workspace (`codetape init` since records them)."""
        home = self.collector.home
        return [{"path": path, "why": why} for path, why in list(self.unrecorded.items())
                if find_workspace(Path(path), home) is None]

    async def op_watch(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        """Start watching a workspace that was just opted in (`codetape init`), or under the settings just
        accepted (`codetape trust`, when no episode is open); answers once it watches."""
        session = await self._session(conn, args)
        session.check_settings()
        await asyncio.to_thread(session.wait_capture)
        return {"root": str(session.root)}

    async def op_pause(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        session = await self._session(conn, args)
        if session.pause():
            self.collector.broadcast(session, {"event": "paused"})
        return {"paused": True}

    async def op_resume(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        session = await self._session(conn, args)
        if session.resume():
            self.collector.broadcast(session, {"event": "resumed"})
        return {"paused": False}

    async def op_seal(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any] | None:
        return await self.collector.seal(await self._session(conn, args))

    async def op_note(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        step = {"kind": "note", "text": self._text(args, "text")}
        (await self._recording(conn, args)).add(self.collector.clock(), step, source=_source(conn))
        return {}

    async def op_task_start(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        step = {"kind": "task", "action": "start", "statement": self._text(args, "statement")}
        (await self._recording(conn, args)).add(self.collector.clock(), step, source=_source(conn))
        return {}

    async def op_task_done(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any] | None:
        outcome = args.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise CollectorError(f"outcome must be one of {', '.join(OUTCOMES)}")
        session = await self._recording(conn, args)
        step: dict[str, Any] = {"kind": "task", "action": "done"}
        if outcome is not None:
            step["outcome"] = outcome
        session.add(self.collector.clock(), step, source=_source(conn))
        return await self.collector.seal(session)

    async def op_shutdown(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        self.collector.stopping.set()
        return {}

    async def op_discard(self, conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
        reference = self._text(args, "episode")
        path = find_sealed(self.collector.home.episodes, reference)
        try:
            signed = open_episode(path).consent is not None
        except EpisodeError as exc:
            raise CollectorError(f"cannot read {path.name}: {exc}") from None
        if signed:
            raise CollectorError(f"episode {path.stem} is signed; it stays (revoke it instead)")
        path.unlink()
        return {"episode": path.stem, "path": str(path)}


def _source(conn: Connection) -> str:
    return conn.source if conn.source != "client" else "cli"


def find_sealed(episodes: Path, reference: str) -> Path:
    """The sealed episode in `episodes` named by an id prefix or a path inside that directory."""
    candidate = Path(reference)
    if candidate.is_absolute() or "/" in reference:
        resolved = candidate.expanduser().resolve()
        if resolved.parent != episodes.resolve() or not resolved.is_file():
            raise CollectorError(f"{reference} is not an episode in {episodes}")
        return resolved
    if not re.fullmatch(r"[0-9a-fA-F-]{1,36}", reference):
        raise CollectorError(f"{reference!r} is neither an episode id prefix nor a path")
    matches = sorted(episodes.glob(f"{reference.lower()}*.ctape"))
    if not matches:
        raise CollectorError(f"no episode {reference!r} in {episodes}")
    if len(matches) > 1:
        raise CollectorError(f"episode id prefix {reference!r} is ambiguous ({len(matches)} episodes)")
    return matches[0]
