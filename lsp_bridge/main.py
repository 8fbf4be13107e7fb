"""`codetape bridge [--no-autostart] [--log FILE] [-- CMD ARGS...]` and `python -m lsp_bridge`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.errors import CodetapeError
from collector.protocol.crashes import stacks_on_crash
from lsp_bridge.arguments import add_arguments
from lsp_bridge.errors import BridgeError
from lsp_bridge.server import ServerProcess, start_server, stop_server

if TYPE_CHECKING:  # loaded after the language server is started, or after the early `initialize` answer
    from collector.home import Home
    from lsp_bridge.capture.handlers import EditorCapture
    from lsp_bridge.documents.workspaces import Workspaces
    from lsp_bridge.modes.early import Early
    from lsp_bridge.modes.traffic import Traffic
    from lsp_bridge.recording.recorder import Recorder
    from lsp_bridge.recording.review import ReviewPrompt
    from lsp_bridge.recording.spool import Link, StateProvider
    from lsp_bridge.recording.status import StatusReport
    from lsp_bridge.wire.pipes import Outlet, Stdin


def _logging(path: str | None, verbose: bool) -> None:
    # logging (~5 ms) after the language server is started
    import logging

    handler: logging.Handler = logging.FileHandler(path) if path else logging.StreamHandler(sys.stderr)
    if path:
        stacks_on_crash(Path(path))  # a native crash's stacks too (collector/protocol/crashes.py)
    layout = "%(asctime)s %(levelname)s %(message)s" if path else "%(message)s"
    handler.setFormatter(logging.Formatter(layout))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    level = logging.DEBUG if verbose else logging.INFO if path else logging.WARNING
    logging.getLogger("lsp_bridge").setLevel(level)


def run(args: argparse.Namespace, server: ServerProcess | None = None) -> int:
    """Run the bridge in observe mode, or in proxy mode when a server command follows `--` (in front of
    `server` when it was started with that command already)."""
    command = list(args.server)
    if command and command[0] == "--":
        command = command[1:]
    if args.server and not command:
        raise BridgeError("proxy mode needs a server command after --")
    if args.spool_steps < 1 or args.tap_messages < 1:
        raise BridgeError("--spool-steps and --tap-messages must be at least 1")
    if command:
        return _start_proxy(command, args, server)
    _logging(args.log, args.verbose)
    home = _home()
    # after the language server is started (the TYPE_CHECKING note above)
    from collector.protocol.clock import now_ms
    from lsp_bridge.modes.early import answer_initialize
    from lsp_bridge.wire.pipes import Outlet, Stdin

    stdin, stdout = Stdin(sys.stdin.fileno()), Outlet(sys.stdout.fileno(), "editor")
    early = answer_initialize(stdin, stdout.inject, now_ms)  # before the rest loads (modes/early.py)
    return _observe(_capture(home, args), stdin, stdout, early)


def _start_proxy(command: list[str], args: argparse.Namespace,
                 started: ServerProcess | None) -> int:
    """The language server starts first thing (before parsing, `started`), and the recording (the
    translator's modules, the recorder, the status report) only once it has spoken: the bridge's own
    start keeps off the server's."""
    if started is not None and started.args != command:  # argparse read argv otherwise: its reading holds
        stop_server(started)
        started = None
    server = started if started is not None else start_server(command)
    try:
        _logging(args.log, args.verbose)
        home = _home()
    except BaseException:
        stop_server(server)
        raise
    # after the language server is started (the TYPE_CHECKING note above)
    from lsp_bridge.modes.proxy import Proxy
    from lsp_bridge.wire.tap import Tap

    recorders: list[Recorder] = []

    def recording() -> Traffic:
        """(translator thread) The recording side, built once the server has spoken."""
        # in the translator thread, once the server has spoken: not on the editor's first wait
        from lsp_bridge.modes.traffic import Traffic
        from lsp_bridge.recording.review import ReviewPrompt
        from lsp_bridge.recording.status import StatusReport

        capture = _capture(home, args)
        recorder = capture.recorder
        recorders.append(recorder)
        traffic = Traffic(capture, server_name=Path(command[0]).name)
        status = StatusReport(recorder, proxy.editor)
        traffic.on_initialized = status.initialized
        _on_events(recorder, ReviewPrompt(recorder, proxy.editor), status)
        return traffic

    proxy = Proxy(command, recording, tap=Tap(max_items=args.tap_messages), server=server)
    try:
        return proxy.run()
    finally:
        for recorder in recorders:
            recorder.flush()


def _home() -> Home:
    # after the language server is started (the TYPE_CHECKING note above)
    from collector.home import Home

    return Home.from_env()


def run_acp(args: argparse.Namespace) -> int:
    """`codetape acp [--no-autostart] [--log FILE] -- AGENT ARGS...` (lsp_bridge/modes/acp.py)."""
    command = list(args.agent)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise BridgeError("codetape acp needs the agent's command after --")
    _logging(args.log, args.verbose)
    home = _home()
    # after the agent is started (the TYPE_CHECKING note above)
    from collector.workspace.find import find_workspace
    from lsp_bridge.modes.acp import AcpProxy

    recorder, _ = _recording(home, args, source="acp")
    return AcpProxy(command, recorder, lambda path: find_workspace(path, home)).run()


def _capture(home: Home, args: argparse.Namespace) -> EditorCapture:
    """The editor's documents and what it says of them, recorded (the recorder started)."""
    # after the early `initialize` answer (the TYPE_CHECKING note above)
    from lsp_bridge.documents.tracked import TrackedDocuments

    documents = TrackedDocuments()
    recorder, workspaces = _recording(home, args, state=documents.file_states)
    from lsp_bridge.capture.handlers import EditorCapture  # (while the recorder connects)

    return EditorCapture(recorder, workspaces, documents)


def _recording(home: Home, args: argparse.Namespace, source: str = "bridge",
               state: StateProvider | None = None) -> tuple[Recorder, Workspaces]:
    """The recorder, started (it connects to the collector in its own thread), and the workspaces; a
    gap's state comes from `state` (the documents the bridge tracks)."""
    # after the early `initialize` answer (the TYPE_CHECKING note above)
    from collector.workspace.find import find_workspace
    from lsp_bridge.documents.workspaces import Workspaces
    from lsp_bridge.recording.recorder import Recorder
    from lsp_bridge.recording.spool import Limits

    recorder: Recorder | None = None

    def editor_gone() -> bool:
        return recorder is not None and recorder.stopping

    connect = collector_link(home, autostart=not args.no_autostart, editor_gone=editor_gone)
    recorder = Recorder(connect, state=state, source=source, limits=Limits(spool_items=args.spool_steps))
    workspaces = Workspaces(lambda path: find_workspace(path, home))
    recorder.start()
    return recorder, workspaces


def collector_link(home: Home, *, autostart: bool, editor_gone: Callable[[], bool]) -> Callable[[], Link]:
    """How the recorder connects to the collector: starting it when none listens (unless
    `--no-autostart`), but not once the editor's connection is gone (`editor_gone`: the recorder's last
    flush): a collector that stopped meanwhile is not started again for the steps left, since nobody would
    stop it (they are counted as not recorded)."""
    # after the early `initialize` answer (the TYPE_CHECKING note above)
    from collector.protocol.client import Client

    def connect() -> Link:
        return Client.connect(home, autostart=autostart and not editor_gone())

    return connect


def _observe(capture: EditorCapture, stdin: Stdin, stdout: Outlet, early: Early) -> int:
    # after the early `initialize` answer (the TYPE_CHECKING note above)
    from lsp_bridge.modes.observe import Observer, serve
    from lsp_bridge.recording.review import ReviewPrompt
    from lsp_bridge.recording.status import StatusReport

    recorder = capture.recorder
    observer = Observer(capture, stdout.inject, answered_early=early.answered)
    status = StatusReport(recorder, observer.editor)
    observer.on_initialized = status.initialized
    _on_events(recorder, ReviewPrompt(recorder, observer.editor), status)
    return serve(observer, stdin, early)


def _on_events(recorder: Recorder, review: ReviewPrompt, status: StatusReport) -> None:
    """Collector events go to the review prompt and the status report; the report starts."""
    def on_event(root: Path, event: dict[str, Any]) -> None:
        review.on_event(root, event)
        status.on_event(root, event)

    recorder.on_event = on_event
    status.start()


def main(argv: Sequence[str] | None = None, server: ServerProcess | None = None) -> int:
    """`python -m lsp_bridge`; `server`: proxy mode's language server, started from argv before parsing
    (lsp_bridge/server.py), which does not outlive a usage error or a refusal."""
    try:
        parser = argparse.ArgumentParser(prog="python -m lsp_bridge", description="The codetape LSP bridge.")
        add_arguments(parser)
        args = parser.parse_args(argv)
        return run(args, server)
    except CodetapeError as exc:  # BridgeError, or the home or the socket refused
        print(f"codetape: {exc}", file=sys.stderr)  # noqa: T201 (stderr, before any LSP traffic)
        return exc.exit_code
    finally:
        if server is not None:
            stop_server(server)
