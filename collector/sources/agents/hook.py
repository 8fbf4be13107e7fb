"""`codetape agent hook run --agent NAME`: what an agent's installed hook runs, once per hook call.

It must never be in the agent's way. Claude Code reads a hook's stdout (into the conversation, for
`UserPromptSubmit` and `SessionStart`) and blocks on exit status 2; Cursor reads a JSON answer from
stdout; Codex likewise. So: nothing on stdout (the descriptor points at /dev/null from the start), exit
status 0 whatever happens, at most one line on stderr (`codetape: agent hook: ...`), and a hard
deadline (DEADLINE_S) after which the process ends at once. The payload is read up to MAX_PAYLOAD_BYTES;
the rest is drained unread, so the agent's write never fails.

In a folder no opted-in workspace holds, nothing is sent. Otherwise one `agent` step goes to a running
collector (never started from here: an agent's hook has no time for that), through the same socket and
protocol the editor's bridge uses; the collector keeps only the targets the workspace's policy lets it
write, and redacts the prompt when the episode is sealed. A payload that cannot be read is recorded as a
`gap` (`malformed_input`) in the workspace the hook runs in, so the hole is visible.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from collector.errors import CodetapeError
from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.sources.agents.payloads import MAX_PAYLOAD_BYTES, Agent, HookCall, PayloadError, parse, to_step

DEADLINE_S = 3.0
CONNECT_TIMEOUT_S = 0.5
SOURCE = "agent"

Connect = Callable[[Home], Client]


def guard(deadline_s: float = DEADLINE_S) -> None:
    """Nothing on stdout from here on, and the process gone (status 0) after `deadline_s`."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    signal.signal(signal.SIGALRM, lambda *_: os._exit(0))
    signal.setitimer(signal.ITIMER_REAL, deadline_s)


def read_payload(stream: BinaryIO) -> bytes:
    """Up to MAX_PAYLOAD_BYTES + 1 bytes of `stream`; what is beyond is read and thrown away."""
    data = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(data) > MAX_PAYLOAD_BYTES:
        while stream.read(1 << 20):
            pass
    return data


def record(agent: Agent, data: bytes, home: Home, *, at_ms: int | None = None, cwd: Path | None = None,
           connect: Connect | None = None) -> str | None:
    """Send the step of one hook call; returns the one line to say when it could not be, else None (also
    when nothing is to be recorded: no opted-in workspace there)."""
    from collector.workspace.find import find_workspace

    at = now_ms() if at_ms is None else at_ms
    here = cwd or Path.cwd()
    try:
        call = parse(agent, data)
    except PayloadError as exc:
        root = find_workspace(here, home)
        if root is not None:
            detail = f"a {agent} hook payload was not recorded: {exc}"
            problem = _send(home, root, at, {"kind": "gap", "reason": "malformed_input", "detail": detail},
                            connect)
            return f"{exc}" + (f"; {problem}" if problem else "")
        return str(exc)
    root = find_workspace(Path(call.cwd) if call.cwd else here, home)
    if root is None:
        return None
    return _send(home, root, at, _step(call), connect)


def _step(call: HookCall) -> dict[str, Any]:
    """The call's step, its targets through their real folders (so a link in the agent's path to the
    workspace does not put them outside it)."""
    step = to_step(call)
    if "targets" in step:
        step["targets"] = [os.path.join(os.path.realpath(os.path.dirname(t)), os.path.basename(t))
                           for t in step["targets"]]
    return step


def _send(home: Home, root: Path, at: int, step: dict[str, Any], connect: Connect | None) -> str | None:
    try:
        client = (connect or (lambda h: Client.connect(h, autostart=False, timeout=CONNECT_TIMEOUT_S)))(home)
    except CodetapeError as exc:
        return f"not recorded: {exc}"
    with client:
        try:
            if client.hello(root, SOURCE).get("recording"):
                client.send_step(at, step)
        except CodetapeError as exc:
            return f"not recorded: {exc}"
    return None


def mark_called(agent: Agent, home: Home) -> None:
    """Touch `run/agent-AGENT.called` (when the home's run folder exists): `codetape status` tells a hook
    Codex never calls (an untrusted one) from one that is called."""
    path = home.run / f"agent-{agent}.called"
    with contextlib.suppress(OSError):
        try:
            os.utime(path)
        except FileNotFoundError:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def main(agent: Agent, home: Home) -> int:
    """The hook's whole run: always status 0, at most one line on stderr."""
    guard()
    mark_called(agent, home)
    try:
        problem = record(agent, read_payload(sys.stdin.buffer), home)
    except Exception as exc:  # nothing may reach the agent but one line
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    if problem:
        with contextlib.suppress(OSError):
            sys.stderr.write(f"codetape: agent hook: {problem.splitlines()[0][:300]}\n")
            sys.stderr.flush()
    return 0
