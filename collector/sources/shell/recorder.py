"""The shell hook's recorder: turns the records a shell spools into `command` steps.

The hook (shell_hook.py) makes the shell append one record per command to a spool file with builtins
only (no process, no socket, nothing that can block the prompt). One recorder per shell, started in the
background by the hook (`python -m collector.sources.shell`: __main__.py), claims the spool by renaming it,
sends the records to the collector, and exits when its shell is gone (or after a long idle time; the hook
starts it again). The claimed file goes once the collector answered after its records: `codetape run`
waits for that (delivered.py's `wait_delivered`) before sending its own step, which would otherwise come
first.

A record is seven NUL-terminated fields: `ct1`, exit status, cwd, start and end (unix epoch
microseconds), how the command line was found (`h`: `fc -ln -1` output, `d`: the same line again,
which `ignoredups` kept out of history, `c`: given as is), and the command line. A wake record (`w`,
no command) says the shell's prompt is in a workspace while no collector listens: the recorder connects
for it (starting the collector, holding `collector.starting`) and records nothing.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from collector.errors import CodetapeError, RegistryUnreadable
from collector.home import Home
from collector.platform.process import alive, holds_open
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.protocol.starting import starting
from collector.protocol.stopped import stopped_by_you
from collector.sources.shell.own_commands import runs_codetape_line

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any

FIELDS = 7
MAGIC = b"ct1"
POLL_S = 0.1
IDLE_EXIT_S = 600.0
COMPLETE_WAIT_S = 0.5
MAX_LINE_CHARS = 64 * 1024

Connect = Callable[[Home], Client]


class Record:
    """One command the shell hook spooled: its exit status, folder, start and end (microseconds), mode and
    command line. (A plain class, not a dataclass or NamedTuple: `codetape run` starts without dataclasses
    or typing.)"""

    __slots__ = ("cwd", "end_us", "mode", "start_us", "status", "text")

    def __init__(self, status: int, cwd: str, start_us: int, end_us: int, mode: str, text: str) -> None:
        self.status, self.cwd, self.start_us, self.end_us, self.mode, self.text = (
            status, cwd, start_us, end_us, mode, text)

    def _fields(self) -> tuple[object, ...]:
        return (self.status, self.cwd, self.start_us, self.end_us, self.mode, self.text)

    def __eq__(self, other: object) -> bool:
        return self._fields() == other._fields() if isinstance(other, Record) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Record{self._fields()!r}"


def parse(data: bytes) -> tuple[list[Record], bytes, int]:
    """(complete records, the incomplete rest, malformed records skipped)."""
    fields = data.split(b"\0")
    complete = (len(fields) - 1) // FIELDS * FIELDS
    records: list[Record] = []
    bad = 0
    for i in range(0, complete, FIELDS):
        magic, status, cwd, start, end, mode, text = fields[i:i + FIELDS]
        try:
            if magic != MAGIC:
                raise ValueError(magic)
            records.append(Record(int(status), cwd.decode("utf-8", "surrogateescape"), int(start), int(end),
                                  mode.decode(), text.decode("utf-8", "replace")))
        except ValueError:
            bad += 1
    return records, b"\0".join(fields[complete:]), bad


def command_line(record: Record, previous: str | None) -> str | None:
    if record.mode == "h":  # `fc -ln -1` prints a tab and a space before the line, a newline after it
        return record.text.removeprefix("\t").removeprefix(" ").rstrip("\n")
    if record.mode == "d":
        return previous
    return record.text


class ShellRecorder:
    def __init__(self, spool: Path, shell_pid: int, home: Home, *, connect: Connect | None = None) -> None:
        self.spool = spool
        self.shell_pid = shell_pid
        self.home = home
        self._connect = connect or (lambda h: Client.connect(h, autostart=True))
        self._clients: dict[Path, Client] = {}
        self._lost: dict[Path, int] = {}
        self._previous: str | None = None

    def run(self) -> None:
        idle_since = time.monotonic()
        try:
            while alive(self.shell_pid):
                if self.drain():
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > IDLE_EXIT_S:
                    return
                time.sleep(POLL_S)
            self.drain()
        finally:
            for client in self._clients.values():
                client.close()

    def drain(self) -> bool:
        """Claim what the shell spooled so far and send it; False when there was nothing. Sending may start
        the collector: a pytest ending meanwhile waits for it (protocol/starting.py), from before the
        spool is claimed (until then the spool itself says that a recorder is about to send)."""
        if not self.spool.exists():
            return False
        with starting(self.home):
            return self._drain()

    def _drain(self) -> bool:
        taken = self.spool.with_name(f"{self.spool.name}.{os.getpid()}.taken")
        try:
            os.rename(self.spool, taken)
        except FileNotFoundError:
            return False
        found, done = False, 0
        try:
            while True:  # again after sending: a record the shell wrote meanwhile is in this file too
                records, end = self._claimed(taken, done)
                if end == done:
                    break
                found, done = True, end
                sent = {client for record in records if (client := self.send(record)) is not None}
                for client in sent:  # delivered: the collector took them (a request answers after them)
                    with contextlib.suppress(CodetapeError):
                        client.request("status")
        finally:
            taken.unlink()  # only now: `codetape run` waits for it to go (delivered)
        return found

    def _claimed(self, taken: Path, done: int) -> tuple[list[Record], int]:
        """The records of the claimed file after byte `done`, once the shell is not writing it, and the byte
        they end at. The shell opens the spool by name for each record, so it may have opened it just before
        the claim's rename and write the record into the claimed file after it: wait while the shell holds
        it open (where that can be seen), then while a record is incomplete, each at most COMPLETE_WAIT_S."""
        deadline = time.monotonic() + COMPLETE_WAIT_S
        while holds_open(self.shell_pid, taken) and time.monotonic() < deadline:
            time.sleep(0.005)
        deadline = time.monotonic() + COMPLETE_WAIT_S
        while True:
            data = taken.read_bytes()[done:]
            records, rest, _bad = parse(data)  # (malformed records are skipped)
            if not rest or time.monotonic() > deadline:
                return records, done + len(data)  # (a rest still incomplete is given up)
            time.sleep(0.01)

    def send(self, record: Record) -> Client | None:
        """Send one record's step; the connection it went through (None: not sent)."""
        if record.mode == "w":  # the prompt is in a workspace: connect (the collector starts), send nothing
            root = self._workspace(Path(record.cwd))
            return None if root is None or stopped_by_you(self.home) else self._client(root)
        line = command_line(record, self._previous)
        self._previous = line
        if line is None or runs_codetape_line(line):  # codetape's own commands: sources/shell/own_commands.py
            return None
        root = self._workspace(Path(record.cwd))
        if root is None:
            return None
        cwd = Path(record.cwd)
        step: dict[str, Any] = {
            "kind": "command", "source": "shell", "command_line": line[:MAX_LINE_CHARS],
            "cwd": cwd.relative_to(root).as_posix() if cwd.is_relative_to(root) else ".",
            "exit_code": record.status, "duration_ms": max(0, (record.end_us - record.start_us) // 1000),
        }
        if stopped_by_you(self.home):  # until the user records again: nothing kept, so nothing lost
            return None
        client = self._client(root)
        if client is None:
            self._lost[root] = self._lost.get(root, 0) + 1
            return None
        client.send_step(record.end_us // 1000, step)
        return client

    def _workspace(self, cwd: Path) -> Path | None:
        """The opted-in workspace holding `cwd`; asked again for a while when the registry cannot be read."""
        # the shell hook's start-up: the workspace search only once a record is sent
        from collector.workspace.find import find_workspace

        for pause in (0.05, 0.2, 0.5, 1.0, 2.0, None):
            try:
                return find_workspace(cwd, self.home)
            except RegistryUnreadable:
                if pause is None:
                    return None  # this record is not sent: a recorder is not the collector's file table
                time.sleep(pause)
        return None

    def _client(self, root: Path) -> Client | None:
        client = self._clients.get(root)
        if client is not None and not client.closed:
            return client
        try:
            client = self._connect(self.home)
            if not client.hello(root, "shell").get("recording"):
                client.close()
                return None
        except CodetapeError:
            return None
        self._clients[root] = client
        lost = self._lost.pop(root, 0)
        if lost:
            client.send_step(now_ms(), {
                "kind": "gap", "source": "shell", "reason": "collector_unreachable", "lost_steps": lost,
                "detail": f"{lost} shell commands were not recorded: the collector could not be reached"})
        return client


def main(argv: list[str]) -> int:
    """`python -m collector.sources.shell SPOOL SHELL_PID PIDFILE` (started by the shell hook)."""
    spool, shell_pid, pidfile = Path(argv[0]), int(argv[1]), Path(argv[2])
    pidfile.write_text(f"{os.getpid()}\n")
    try:
        ShellRecorder(spool, shell_pid, Home.from_env()).run()
    finally:
        with contextlib.suppress(OSError):
            if pidfile.read_text().strip() == str(os.getpid()):
                pidfile.unlink()
    return 0

