"""`codetape acp -- AGENT ARGS...`: between an Agent Client Protocol client (an editor) and an ACP agent.

The client starts `codetape acp -- AGENT ...` where it would start the agent. Two forwarding threads copy
bytes unchanged, as they come, client -> agent and agent -> client (ACP's messages are lines of JSON on
stdio; nothing is reframed, reordered, added or held back). Before each write, a reference to the chunk
is handed to the tap (so what one side answers is in the tap after what it answers; lsp_bridge/wire/tap.py:
a bounded in-memory queue that never blocks; what does not fit is counted and becomes a gap), read by
the translator thread, which cuts the lines, reads them (lsp_bridge/steps/acp.py) and hands the steps to
the recorder (lsp_bridge/recording/recorder.py: its own thread talks to the collector). Nothing on the
forwarding path touches disk, parses JSON or waits for codetape.

When the agent exits, what it wrote is forwarded, the client's stream is closed and codetape exits with
the agent's status; when the client closes its end, the agent's input is closed and it gets a few seconds
to exit before it is terminated. Steps go to the opted-in workspace holding the session's folder (the
`cwd` of `session/new`); in any other folder nothing is recorded, and everything is forwarded all the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from collector.protocol.clock import now_ms
from lsp_bridge.errors import BridgeError
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.server import ServerProcess, start_server, stop_server
from lsp_bridge.steps.acp import SOURCE, Conversation, Step
from lsp_bridge.steps.translate import gap_step
from lsp_bridge.wire.tap import Tap

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
PACE_S = 0.02  # the translator drains the tap this often
STOP_WAIT_S = 3.0  # the agent's time to exit once the client closed its end
Chunk = tuple[str, bytes]  # (who wrote it: "client" or "agent", the bytes forwarded)


class AcpProxy:
    def __init__(
        self,
        command: list[str],
        recorder: Recorder,
        find_workspace: Callable[[Path], Path | None],
        *,
        tap: Tap[Chunk] | None = None,
        client_in: int = 0,
        client_out: int = 1,
    ) -> None:
        self.command = command
        self.recorder = recorder
        self._find = find_workspace
        self._roots: dict[str, Path | None] = {}
        self.tap: Tap[Chunk] = tap or Tap(max_items=100_000)
        self._in, self._out = client_in, client_out
        self.conversation = Conversation(command[0])
        self._pending: dict[str, bytes] = {"client": b"", "agent": b""}
        self._skipping = {"client": False, "agent": False}  # a line too long to read: forwarded, not read

    def run(self) -> int:
        """Forward until the agent exits; its exit status."""
        try:
            agent = start_server(self.command)
        except BridgeError as exc:
            raise BridgeError(str(exc).replace("language server", "ACP agent")) from None
        translator = threading.Thread(target=self._translate, name="codetape-acp-translator", daemon=True)
        translator.start()
        to_agent = threading.Thread(
            target=self._client_to_agent, args=(agent,), name="codetape-acp-client", daemon=True
        )
        to_agent.start()
        try:
            self._agent_to_client(agent)
            status = agent.wait()
        finally:
            stop_server(agent)
            with contextlib.suppress(OSError):
                os.close(self._out)
            self.tap.close()
            translator.join(timeout=5.0)
            self.recorder.flush()
        return status

    # -- forwarding (never waits for codetape) ------------------------------------------------------

    def _client_to_agent(self, agent: ServerProcess) -> None:
        while True:
            try:
                data = os.read(self._in, CHUNK)
            except OSError:
                data = b""
            if not data:
                break
            self.tap.put(("client", data), len(data))  # before it is forwarded: see _agent_to_client
            try:
                agent.stdin.write(data)
            except OSError:  # the agent is gone: what the client sends has nowhere to go
                break
        with contextlib.suppress(OSError):
            agent.stdin.close()
        try:
            agent.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            log.warning(
                "codetape acp: the agent did not exit %.0f s after the client closed; ending it", STOP_WAIT_S
            )
            agent.terminate()

    def _agent_to_client(self, agent: ServerProcess) -> None:
        while True:
            try:
                data = agent.stdout.read(CHUNK)
            except OSError:
                data = b""
            if not data:
                return
            # in the tap before the client can read it: the client's answer (to a permission request,
            # the prompt of a session just made) comes after it in the tap too
            self.tap.put(("agent", data), len(data))
            view = memoryview(data)
            try:
                while view:
                    view = view[os.write(self._out, view) :]
            except OSError:  # the client is gone
                return

    # -- recording (the translator thread) ----------------------------------------------------------

    def _translate(self) -> None:
        while True:
            items, dropped = self.tap.drain(PACE_S)
            for (who, data), lost in items:
                if lost:
                    self._lost(lost)
                self._lines(who, data)
            if dropped:
                self._lost(dropped)
            if not items and self.tap.closed:
                return

    def _lines(self, who: str, data: bytes) -> None:
        pending = self._pending[who] + data
        *lines, rest = pending.split(b"\n")
        for line in lines:
            if self._skipping[who]:
                self._skipping[who] = False
                continue
            read = self.conversation.client if who == "client" else self.conversation.agent
            try:
                steps = read(line)
            except Exception:  # a message this reading did not foresee: never the forwarding's concern
                log.exception("codetape acp: a %s message could not be read", who)
                continue
            for step in steps:
                self._record(step)
        if len(rest) > (16 << 20):
            self._skipping[who], rest = True, b""
        self._pending[who] = rest

    def _record(self, found: Step) -> None:
        if found.cwd is None:
            return
        root = self._roots.get(found.cwd)
        if found.cwd not in self._roots:
            root = self._roots[found.cwd] = self._find(Path(found.cwd))
        if root is not None:
            beside = None if found.patch is None else {"patch": found.patch}
            self.recorder.record(
                root, Outgoing(now_ms(), found.step, paths=tuple(found.step.targets), beside=beside)
            )

    def _lost(self, count: int) -> None:
        """Messages the tap could not keep: a gap in every workspace recorded, and the lines cut in two
        by the hole are not read."""
        self._pending = {"client": b"", "agent": b""}
        self._skipping = {"client": True, "agent": True}
        self.recorder.record_everywhere(
            now_ms(),
            gap_step("recorder_behind", f"codetape acp could not keep {count} chunks", source=SOURCE),
        )
