"""`codetape run -- CMD ARGS...`: run a command exactly as usual and record it as a `command` step.

Same exit status, output passed through unchanged, stdin and signals reach the command. Recorded in an
opted-in workspace: argv, the working directory, exit code, duration and the last 8 KB of output.
The collector is started if it is not running; while the command runs, the connection is made. Its step
is sent once what the shell hook spooled at the shell's earlier prompts has reached the collector (5 s at
most), so that the steps of one shell keep the order they happened in. When the
workspace's `.codetape.toml` cannot be used (invalid, not yours alone), the command still runs and exits
as it does, and one line on stderr says it was not recorded and why (`FILE:LINE: what`).

Test runs: any pytest the command starts, whatever interpreter runs it, records its tests itself (in a
workspace, the command gets the pytest plugin's folder on `PYTHONPATH`: sources/testruns/pytest_env.py); the
collector reads the JUnit XML reports the command wrote (the files its command line names, the places
runners write by default, the workspace's `[tests] junit` globs and `--junit GLOB`) into a `test_run`
step; `go test -json` is read from the command's output as it passes.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from collector.errors import CodetapeError, UsageError
from collector.home import Home
from collector.platform.process import alive, die_of
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from collector.sources.shell import delivered, passthrough
from collector.sources.testruns.gotest import GoTestStream, is_go_test_json

TYPE_CHECKING = False  # typing (~3 ms) and argparse (cli/quick.py) are not loaded at a command's start-up
if TYPE_CHECKING:
    import argparse
    from typing import Any

MAX_ARG_CHARS = 64 * 1024


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from argparse import REMAINDER  # deferred: only the parser needs it (cli/quick.py reads `run -- CMD`)

    parser = sub.add_parser("run", help="run a command and record it", description=__doc__)
    parser.add_argument("--junit", action="append", default=[], metavar="GLOB",
                        help="JUnit XML reports the command writes, relative to the workspace (repeatable; "
                             "the usual places are looked at anyway)")
    parser.add_argument("argv", nargs=REMAINDER, metavar="-- CMD ARGS", help="the command")
    parser.set_defaults(func=run)


class _Here:
    """The folder the command runs in, looked at once for both the command's environment and the link:
    whether workspace settings are here or above (`settings`), the `home`, whether the folder is in an
    opted-in workspace (`opted_in`: True too when that is not known), and why it is not known (`error`)."""

    def __init__(self, cwd: Path, env: Mapping[str, str] | None) -> None:
        from collector.workspace.find import find_workspace, settings_folders  # deferred: `run` only

        self.settings = bool(settings_folders(cwd))
        self.home: Home | None = None
        self.opted_in = False
        self.error: str | None = None
        if not self.settings:
            return
        try:
            self.home = Home.from_env(env)
        except CodetapeError as exc:  # a settings file is here, so the user expects to be told
            self.opted_in, self.error = True, str(exc)
            return
        try:
            self.opted_in = find_workspace(cwd, self.home) is not None
        except CodetapeError as exc:  # whether it is opted in is not known: said, as a settings file is here
            self.opted_in, self.error = True, str(exc)


class _Link:
    """The collector connection, opened on a thread while the command runs."""

    def __init__(self, cwd: Path, here: _Here) -> None:
        self.cwd, self.here = cwd, here
        self.home: Home | None = None
        self.client: Client | None = None
        self.root: Path | None = None
        self.error: str | None = None
        self.opted_in = False
        self._thread = threading.Thread(target=self._connect, name="codetape-run-connect", daemon=True)
        self._thread.start()

    def _connect(self) -> None:
        here = self.here
        if not here.opted_in:
            return
        if here.error is not None or here.home is None:
            self.opted_in, self.error = True, here.error
            return
        home = here.home
        self.opted_in, self.home = True, home
        try:
            client = Client.connect(home, autostart=True, as_json=True)  # plain maps: no msgspec loaded
            reply = client.hello(self.cwd, "run")
        except CodetapeError as exc:
            self.error = str(exc)
            return
        if reply.get("recording") and not reply.get("problem"):
            self.client, self.root = client, Path(reply["workspace"])
            return
        client.close()
        if reply.get("problem"):  # the settings cannot be used: the command runs, unrecorded, and says so
            self.error = str(reply["problem"])

    def record(self, argv: list[str], finished: passthrough.Finished, ended_ms: int, *, junit: list[str],
               go_tests: GoTestStream | None) -> None:
        """Send the command's step (and its `go test -json` run), as of `ended_ms`, when it ended: not when
        the connection is ready, which is later when this run started the collector, and the collector
        takes for the command's start `ended_ms` less its duration (the reports it wrote are those
        changed since)."""
        self._thread.join()
        if self.client is None or self.root is None:
            if self.opted_in and self.error:
                print(f"codetape: not recorded: {self.error}", file=sys.stderr)
            return
        step: dict[str, Any] = {
            "kind": "command", "source": "run", "argv": [a[:MAX_ARG_CHARS] for a in argv[:10_000]],
            "cwd": self.cwd.relative_to(self.root).as_posix() if self.cwd.is_relative_to(self.root) else ".",
            "exit_code": finished.exit_code, "duration_ms": finished.duration_ms,
            "output_tail": _text(finished.tail),
        }
        if junit:
            step["junit"] = junit[:100]  # where the collector looks for reports; not recorded itself
        if self.home is not None:  # the commands at this shell's earlier prompts first (one shell, one order)
            # (delivered.py directly: the shell hook's recorder.py, with its parser, is not loaded)
            shell = delivered.shell_pid(os.environ, os.getppid())
            delivered.wait_delivered(str(self.home.run), shell, alive=alive)
        try:
            at = ended_ms
            if go_tests is not None and (tests := go_tests.tests()):
                self.client.send_step(at, {
                    "kind": "test_run", "source": "run", "framework": "go", "tests": tests,
                    "args": [a[:4096] for a in argv[:1000]], "exit_status": finished.exit_code,
                    "duration_ms": finished.duration_ms})
            self.client.send_step(at, step)
        except CodetapeError as exc:
            print(f"codetape: not recorded: {exc}", file=sys.stderr)
        self.client.close()


def _command_env(here: _Here, env: Mapping[str, str]) -> dict[str, str] | None:
    """The command's environment: ours, and in a folder with workspace settings the variables through
    which any pytest it starts records its tests; None (ours unchanged) elsewhere, or when the home is not
    usable (said once the link is made; the command runs as usual)."""
    from collector.protocol.client import AUTOSTART_WAIT_S
    from collector.sources.testruns.pytest_env import pytest_env

    if not here.settings or here.home is None:
        return None
    # in an opted-in workspace the link starts the collector if it is down: a pytest may wait for it (as
    # it does where it is not known whether the workspace is opted in)
    starting = AUTOSTART_WAIT_S if here.opted_in else 0.0
    return {**env, **pytest_env(here.home, env, starting_s=starting)}


def _text(tail: bytes) -> str:
    """The tail as text; a character the 8 KB cut in half at the start is dropped, not mangled."""
    start = 0
    while start < min(len(tail), 3) and 0x80 <= tail[start] < 0xC0:
        start += 1
    return tail[start:].decode("utf-8", "replace")


def _guarded(feed: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """A watcher of the output that can never break the command's run (it stops at its first error)."""
    broken = False

    def watch(chunk: bytes) -> None:
        nonlocal broken
        if broken:
            return
        try:
            feed(chunk)
        except Exception:
            broken = True

    return watch


def run(args: argparse.Namespace) -> int:
    argv = list(args.argv[1:] if args.argv[:1] == ["--"] else args.argv)
    if not argv:
        raise UsageError("nothing to run (usage: codetape run -- CMD ARGS...)")
    junit = [glob for glob in args.junit if glob]
    bad = next((g for g in junit if g.startswith("/") or ".." in g.split("/")), None)
    if bad is not None:
        raise UsageError(f"--junit {bad}: a glob relative to the workspace, without ..")
    cwd = Path.cwd().resolve()
    here = _Here(cwd, args.env)
    link = _Link(cwd, here)
    go_tests = GoTestStream() if is_go_test_json(argv) else None
    try:
        finished = passthrough.run(argv, watch=_guarded(go_tests.feed) if go_tests is not None else None,
                                   env=_command_env(here, args.env))
    except OSError as exc:
        not_found = isinstance(exc, FileNotFoundError)
        print(f"codetape: {argv[0]}: {'command not found' if not_found else exc.strerror}", file=sys.stderr)
        finished = passthrough.Finished(127 if not_found else 126, None, 0, b"")
    link.record(argv, finished, now_ms(), junit=junit, go_tests=go_tests)
    if finished.signal is not None:  # die the way the command died, so a calling shell sees it too
        die_of(finished.signal)
        return 128 + finished.signal  # a signal that does not end a process (SIGCHLD, say): as shells say
    return finished.exit_code
