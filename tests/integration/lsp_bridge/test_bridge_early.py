"""Observe mode answers `initialize` before the recording side loads (lsp_bridge/modes/early.py), with the one
answer it gives (lsp_bridge/wire/initialize.py); the Observer then sets the session up from the same request
without answering it again. Each case runs a real bridge against a real collector: one answer per
request, whichever path gave it, and what it says follows the editor's capabilities (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psutil
import pytest

from lsp_bridge.wire.initialize import initialize_result
from tests.support.bridge_harness import BRIDGE, RawClient, daemon, ws
from tests.support.collector_harness import Daemon, env_for

__all__ = ["daemon", "ws"]

EVERYTHING = {
    "general": {"positionEncodings": ["utf-32", "utf-8"]},
    "workspace": {"fileOperations": {"didCreate": True, "didRename": False, "didDelete": True,
                                     "willCreate": True},
                  "didChangeWatchedFiles": {"dynamicRegistration": True}, "workspaceFolders": True},
    "textDocument": {"synchronization": {"didSave": True, "willSave": True, "willSaveWaitUntil": False}},
    "window": {"showMessage": {}}, "notebookDocument": {"synchronization": {}},
}
CAPABILITIES = {
    "none": {},
    "everything": EVERYTHING,
    "unknown encodings": {"general": {"positionEncodings": ["utf-7"]}},
    "no file operations": {"workspace": {"fileOperations": {}}, "general": {"positionEncodings": []}},
}


def exchange(daemon: Daemon, ws: Path, log: Path, capabilities: Any, *,
             before: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """The answer to `initialize` (after the notifications `before`), once the session ended properly."""
    client = RawClient([*BRIDGE, "--log", str(log)], env_for(daemon.home.root), cwd=ws)
    try:
        for notification in before:
            client.notify(notification["method"], notification["params"])
        answer = client.request("initialize", {"processId": os.getpid(), "rootUri": ws.as_uri(),
                                               "capabilities": capabilities})
        client.notify("initialized", {})
        assert client.shutdown() == 0, client.stderr
        assert [m.get("id") for m in client.received if "method" not in m] == [1, 2]  # one answer each
        return answer
    finally:
        client.kill()


@pytest.mark.parametrize("name", list(CAPABILITIES))
def test_initialize_is_answered_once_whatever_the_editor_offers(daemon: Daemon, ws: Path, tmp_path: Path,
                                                                 name: str) -> None:
    log = tmp_path / "bridge.log"
    answer = exchange(daemon, ws, log, CAPABILITIES[name])
    assert answer["result"] == initialize_result({"capabilities": CAPABILITIES[name]})
    assert answer["result"]["serverInfo"]["name"] == "codetape-bridge"
    logged = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert not [line for line in logged if " ERROR " in line or " WARNING " in line], logged


def test_an_initialize_after_another_message_is_answered_by_the_observer(daemon: Daemon, ws: Path,
                                                                         tmp_path: Path) -> None:
    """The early path answers only a first message; an `initialize` after a notification is the
    Observer's to answer, with the same answer."""
    trace = {"method": "$/setTrace", "params": {"value": "off"}}
    answer = exchange(daemon, ws, tmp_path / "bridge.log", EVERYTHING, before=(trace,))
    assert answer["result"] == initialize_result({"capabilities": EVERYTHING})


def test_the_encoding_and_file_operations_follow_the_editor(daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    capabilities = exchange(daemon, ws, tmp_path / "bridge.log", EVERYTHING)["result"]["capabilities"]
    assert capabilities["positionEncoding"] == "utf-32"
    assert sorted(capabilities["workspace"]["fileOperations"]) == ["didCreate", "didDelete"]
    assert capabilities["textDocumentSync"] == {"openClose": True, "change": 2, "save": {"includeText": True}}


def test_a_malformed_initialize_is_refused_and_the_session_goes_on(daemon: Daemon, ws: Path,
                                                                   tmp_path: Path) -> None:
    log = tmp_path / "bridge.log"
    answer = exchange(daemon, ws, log, 5)
    assert answer["error"]["code"] == -32602 and "result" not in answer
    assert "codetape: refused initialize: initialize params have no capabilities object" in log.read_text()


def test_encodings_that_are_not_a_list_are_not_guessed_at(daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    answer = exchange(daemon, ws, tmp_path / "bridge.log", {"general": {"positionEncodings": "utf-8"}})
    assert answer["result"]["capabilities"]["positionEncoding"] == "utf-16"


# proxy mode as `python -m lsp_bridge` and as `codetape bridge` (the console script editors run), which
# start the language server before parsing the same way, and what each says about `--spool-steps many`
ENTRIES = {
    "python -m lsp_bridge": (BRIDGE,
                             "python -m lsp_bridge: error: argument --spool-steps: invalid int value"),
    "codetape bridge": ([str(Path(sys.executable).with_name("codetape")), "bridge", "--no-autostart"],
                        "codetape: bridge: argument --spool-steps: invalid int value: 'many' (see: codetape "
                        "bridge --help)"),
}


def server_left(marker: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["cmdline"]) if marker in (p.info["cmdline"] or [])]


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_proxy_mode_stops_the_server_it_started_when_the_home_is_refused(tmp_path: Path, entry: str) -> None:
    """The language server starts before the home is checked (its start overlaps the bridge's); when
    the home is refused the bridge says why and the server does not outlive it."""
    not_a_dir = tmp_path / "home"
    not_a_dir.write_text("a file", encoding="utf-8")
    marker = f"codetape-test-server-{uuid.uuid4()}"
    env = {**os.environ, "CODETAPE_HOME": str(not_a_dir)}
    server = [sys.executable, "-c", "import time; time.sleep(60)", marker]
    done = subprocess.run([*ENTRIES[entry][0], "--", *server], env=env, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode != 0 and done.stderr.startswith("codetape: CODETAPE_HOME "), done.stderr
    assert not server_left(marker)


@pytest.mark.parametrize("entry", list(ENTRIES))
@pytest.mark.parametrize(("options", "code", "says"), [
    (["--spool-steps", "0"], 1, "codetape: --spool-steps and --tap-messages must be at least 1"),
    (["--spool-steps", "many"], 2, None),  # argparse's error, as each entry words it
])
def test_proxy_mode_stops_the_server_it_started_before_parsing_on_a_usage_error(
        tmp_path: Path, entry: str, options: list[str], code: int, says: str | None) -> None:
    """The language server starts before argparse reads the command line (lsp_bridge/server.py); a
    command line argparse or the bridge then refuses does not leave it running."""
    marker = f"codetape-test-server-{uuid.uuid4()}"
    server = [sys.executable, "-c", "import time; time.sleep(60)", marker]
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path / "home")}
    bridge, usage = ENTRIES[entry]
    done = subprocess.run([*bridge, *options, "--", *server], env=env, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == code and (says or usage) in done.stderr.splitlines()[-1], done.stderr
    assert not server_left(marker)
