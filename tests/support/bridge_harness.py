"""Shared pieces of the bridge tests: real collectors, real bridges, a raw LSP client for hostile input.

Nothing is faked: the bridge runs as `python -m lsp_bridge` (or `codetape bridge -- pylsp`), the collector
as `codetape collector` with a private CODETAPE_HOME, and what was recorded is read back from the
sealed episode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import register_lsp_features

from collector.episode import Episode, open_episode
from collector.reconstruct.workspace import replay
from lsp_bridge.wire.framing import Framer, encode
from schemas.steps import SaveStep
from tests.support.collector_harness import (
    Daemon,
    env_for,
    opt_in,
    running,
    wait_recorded,
)
from tests.support.lsp_client import client_converter
from tests.waiting import TIMEOUT_S, wait_for

BRIDGE = [sys.executable, "-m", "lsp_bridge", "--no-autostart"]
PYLSP = [sys.executable, "-m", "pylsp"]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One collector for the tests of a module, as a user has one for every workspace: each test opts a
    workspace of its own in for it (`ws`) and looks only at what that workspace recorded."""
    with running(tmp_path_factory.mktemp("collector") / "h") as started:
        yield started


@pytest.fixture
def ws(tmp_path: Path, daemon: Daemon) -> Path:
    """This test's workspace, opted in for the module's collector and given to it as `codetape init`
    does (a collector started after the opt-in takes it up as it starts)."""
    root = opt_in(tmp_path / "ws", home=daemon.home.root)
    with daemon.client() as client:
        client.request("watch", workspace=str(root))
    return root


@pytest.fixture
def own_daemon(tmp_path: Path) -> Iterator[Daemon]:
    """A collector of the test's own, for the home tmp_path/"h" (`own_ws`): for what depends on the
    collector's start (when its watchers first look at the workspace)."""
    with running(tmp_path / "h") as started:
        yield started


@pytest.fixture
def own_ws(tmp_path: Path) -> Path:
    """A workspace opted in for the home tmp_path/"h", whose collector the test starts (or not) itself."""
    return opt_in(tmp_path / "ws", home=tmp_path / "h")


# A transparent relay that logs every byte each way: what the server really received and answered.
TEE = r"""
import os, subprocess, sys, threading
log_dir, command = sys.argv[1], sys.argv[2:]
child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
def copy(src, dst, name, close):
    with open(os.path.join(log_dir, name), "ab") as log:
        while data := os.read(src, 65536):
            log.write(data); log.flush()
            try:
                os.write(dst, data)
            except OSError:
                break
    close()
pump = threading.Thread(target=copy, args=(0, child.stdin.fileno(), "in.bin", child.stdin.close), daemon=True)
pump.start()
copy(child.stdout.fileno(), 1, "out.bin", lambda: None)
sys.exit(child.wait())
"""


def tee(tmp_path: Path, name: str) -> tuple[list[str], Path]:
    script = tmp_path / "tee.py"
    script.write_text(TEE, encoding="utf-8")
    logs = tmp_path / name
    logs.mkdir()
    return [sys.executable, str(script), str(logs), *PYLSP], logs


def uri(ws: Path, relpath: str) -> str:
    return (ws / relpath).as_uri()


def _make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=client_converter)
    register_lsp_features(client)
    return client


async def start_bridge(home: Path, *args: str, log: Path | None = None, autostart: bool = False
                       ) -> LanguageClient:
    """A bridge for `home`; with `autostart` it starts the collector when it finds none, as editors run it."""
    bridge = [word for word in BRIDGE if word != "--no-autostart"] if autostart else BRIDGE
    command = [*bridge, *(["--log", str(log)] if log else []), *args]
    config = ClientServerConfig(server_command=command, server_env=env_for(home), client_factory=_make_client)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    return client


def init_params(ws: Path, encodings: list[str] | None = None, *, name: str = "codetape-tests",
                file_operations: bool = True) -> lsp.InitializeParams:
    general = lsp.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
    workspace = lsp.WorkspaceClientCapabilities(
        file_operations=lsp.FileOperationClientCapabilities(did_create=True, did_rename=True, did_delete=True)
        if file_operations else None,
        did_change_watched_files=lsp.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True))
    capabilities = lsp.ClientCapabilities(
        general=general, workspace=workspace,
        window=lsp.WindowClientCapabilities(show_message=lsp.ShowMessageRequestClientCapabilities()),
        text_document=lsp.TextDocumentClientCapabilities(
            synchronization=lsp.TextDocumentSyncClientCapabilities(did_save=True)))
    return lsp.InitializeParams(capabilities=capabilities, root_uri=ws.as_uri(),
                                workspace_folders=[lsp.WorkspaceFolder(uri=ws.as_uri(), name=ws.name)],
                                client_info=lsp.ClientInfo(name=name, version="1.2.3"))


def change(uri_: str, version: int, *changes: tuple[tuple[int, int, int, int] | None, str]
           ) -> lsp.DidChangeTextDocumentParams:
    events: list[Any] = []
    for where, text in changes:
        if where is None:
            events.append(lsp.TextDocumentContentChangeWholeDocument(text=text))
        else:
            sl, sc, el, ec = where
            begin, end = lsp.Position(line=sl, character=sc), lsp.Position(line=el, character=ec)
            span = lsp.Range(start=begin, end=end)
            events.append(lsp.TextDocumentContentChangePartial(range=span, text=text))
    return lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri_, version=version), content_changes=events)


def workspace_steps(daemon: Daemon, ws: Path) -> int:
    with daemon.client() as client:
        status = client.request("status")
    return sum(w["steps"] for w in status["workspaces"] if w["root"] == str(ws))


def wait_steps(daemon: Daemon, ws: Path, steps: int) -> None:
    """Wait until the collector holds exactly `steps` steps of `ws` (more fail at once)."""
    def exact() -> bool:
        count = workspace_steps(daemon, ws)
        assert count <= steps, f"{count} steps of {ws} were recorded, {steps} expected"
        return count == steps

    wait_for(exact, what=f"{steps} steps of {ws} to be recorded",
             detail=lambda: f"{workspace_steps(daemon, ws)} recorded")


def at_least(n: int, kind: str, **fields: Any) -> Callable[[list[dict[str, Any]]], bool]:
    """A condition on the recorded steps: `n` or more steps of `kind` with these field values."""
    def holds(steps: list[dict[str, Any]]) -> bool:
        return sum(s["kind"] == kind and all(s.get(k) == v for k, v in fields.items()) for s in steps) >= n
    return holds


def seal(daemon: Daemon, ws: Path, steps: int | None = None, *,
         until: Callable[[list[dict[str, Any]]], object] | None = None, what: str = "") -> Episode:
    """Seal the open episode of `ws` once what the test expects has been recorded: exactly `steps` steps,
    or steps that satisfy `until` (where a language server's diagnostics make the number vary)."""
    assert (steps is None) != (until is None), "give either the number of steps or a condition"
    if steps is not None:
        wait_steps(daemon, ws, steps)
    else:
        assert until is not None
        wait_recorded(daemon.home, ws, until, what or "the steps the test expects to be recorded")
    with daemon.client() as client:
        result = client.request("seal", workspace=str(ws))
    assert result is not None, "nothing was recorded"
    return open_episode(Path(result["path"]))


def steps_of(episode: Episode) -> list[dict[str, Any]]:
    return list(episode.step_dicts())


def texts_at_saves(episode: Episode, relpath: str) -> list[str]:
    """The reconstructed text of `relpath` at each of its saves, each checked against the save's hash."""
    texts = []
    for _, step, workspace in replay(episode.header.position_encoding, episode.steps()):
        if isinstance(step, SaveStep) and step.path == relpath:
            assert workspace.save_mismatch(step) is None
            text = workspace.text(relpath)
            assert text is not None
            texts.append(text)
    return texts


class RawClient:
    """An editor that sends whatever bytes it is told to and reads frames back, for hostile input."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd, bufsize=0)
        self.received: list[dict[str, Any]] = []
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._ids = iter(range(1, 1_000_000))
        self._stderr = bytearray()
        self._stdout_reader = threading.Thread(target=self._read, daemon=True)
        self._stdout_reader.start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        framer = Framer()
        while data := os.read(self.proc.stdout.fileno(), 65536):
            with self._lock:
                self.raw += data
                for frame in framer.feed(data):
                    if frame.body is not None:
                        try:
                            self.received.append(json.loads(frame.body))
                        except (ValueError, RecursionError):  # RecursionError: nested too deep
                            self.received.append({"unparseable": frame.body})

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        while data := os.read(self.proc.stderr.fileno(), 65536):
            self._stderr += data

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    def stderr_closed(self, timeout: float = TIMEOUT_S) -> str:
        """All the bridge wrote to stderr, once the pipe is closed (the bridge has exited)."""
        self._stderr_reader.join(timeout)
        assert not self._stderr_reader.is_alive(), f"the bridge's stderr is still open after {timeout:g} s"
        return self.stderr

    def send_bytes(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, payload: dict[str, Any]) -> None:
        self.send_bytes(encode({"jsonrpc": "2.0", **payload}))

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait(self, predicate: Any, timeout: float = TIMEOUT_S, what: str = "a message") -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            gone = self.proc.poll() is not None and not self._stdout_reader.is_alive()  # all it wrote is read
            with self._lock:
                match = next((m for m in self.received if predicate(m)), None)
            if match is None and gone:
                raise AssertionError(f"the bridge exited ({self.proc.returncode}) without {what}; "
                                     f"stderr:\n{self.stderr[-3000:]}")
            return match

        return wait_for(found, timeout, f"{what} from the bridge",
                        detail=lambda: f"stderr:\n{self.stderr[-3000:]}")

    def request(self, method: str, params: Any, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        key = next(self._ids)
        self.send({"id": key, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == key and "method" not in m, timeout, f"answer to {method}")

    def initialize(self, ws: Path, encodings: list[str] | None = None) -> dict[str, Any]:
        capabilities: dict[str, Any] = {"textDocument": {"synchronization": {"didSave": True}}}
        if encodings:
            capabilities["general"] = {"positionEncodings": encodings}
        answer = self.request("initialize", {"processId": os.getpid(), "rootUri": ws.as_uri(),
                                             "clientInfo": {"name": "raw", "version": "0"},
                                             "capabilities": capabilities})
        self.notify("initialized", {})
        return answer

    def shutdown(self, timeout: float = TIMEOUT_S) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
