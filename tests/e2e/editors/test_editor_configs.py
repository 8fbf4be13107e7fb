"""The shipped configurations for Helix (editor_extensions/helix/languages.toml), Zed, Sublime Text LSP and
Kate (docs/editors.md): each is parsed as the editor would (TOML or JSON), the command line it names
is started exactly as written (with this virtualenv's `codetape` and `pylsp` first on PATH), and an editor
session through it reaches the collector: the opened, edited and saved file reconstructs from the sealed
episode. Observe mode answers as the bridge, proxy mode as pylsp behind it."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.bridge_harness import (
    RawClient,
    at_least,
    daemon,
    seal,
    steps_of,
    texts_at_saves,
    ws,
)
from tests.support.collector_harness import Daemon, env_for

__all__ = ["daemon", "ws"]
ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "editors.md"
HELIX = ROOT / "editor_extensions" / "helix" / "languages.toml"


def block(heading: str) -> tuple[str, str]:
    """(language, text) of the first fenced block under the docs/editors.md heading starting `heading`."""
    text = PAGE.read_text(encoding="utf-8")
    heading_line = rf"^## {re.escape(heading)}[^\n]*\n"
    match = re.search(heading_line + r"(?:(?!#)[^\n]*\n)*?```(\w+)\n(.*?)^```", text, re.M | re.S)
    assert match, f"docs/editors.md has no configuration block under '## {heading}'"
    return match[1], match[2]


def helix(config: dict[str, Any]) -> list[str]:
    """pylsp's command (the bridge in front of it); every language has the bridge, observing or in front of
    pylsp (Python, Snakemake)."""
    servers = config["language-server"]
    assert [servers["codetape"]["command"], *servers["codetape"]["args"]] == ["codetape", "bridge"]
    for language in config["language"]:
        names = [s if isinstance(s, str) else s["name"] for s in language["language-servers"]]
        assert "codetape" in names or "pylsp" in names, language
    return [servers["pylsp"]["command"], *servers["pylsp"].get("args", [])]


def zed(config: dict[str, Any]) -> list[str]:
    assert "pylsp" in config["languages"]["Python"]["language_servers"]
    binary = config["lsp"]["pylsp"]["binary"]
    return [binary["path"], *binary.get("arguments", [])]


def sublime(config: dict[str, Any]) -> list[str]:
    client = config["clients"]["codetape"]
    assert client["enabled"] is True and client["selector"] == "source | text"  # every file type
    return list(client["command"])


def kate(config: dict[str, Any]) -> list[str]:
    server = config["servers"]["python"]
    assert re.search(server["highlightingModeRegex"], "Python")
    return list(server["command"])


EDITORS: dict[str, tuple[Callable[[dict[str, Any]], list[str]], str]] = {
    "Helix": (helix, "pylsp"),
    "Zed": (zed, "pylsp"),
    "Sublime Text LSP": (sublime, "codetape-bridge"),
    "Kate": (kate, "pylsp"),
}


def shipped(editor: str) -> tuple[str, str]:
    """(language, text) of the configuration shipped for `editor`."""
    return ("toml", HELIX.read_text(encoding="utf-8")) if editor == "Helix" else block(editor)


def parse(language: str, text: str) -> dict[str, Any]:
    parsed = tomllib.loads(text) if language == "toml" else json.loads(text)
    assert isinstance(parsed, dict)
    return parsed


@pytest.mark.parametrize("editor", sorted(EDITORS))
def test_readme_configuration_runs_against_the_bridge(editor: str, daemon: Daemon, ws: Path) -> None:
    extract, server_name = EDITORS[editor]
    command = extract(parse(*shipped(editor)))
    assert command[0] == "codetape" and command[1] == "bridge", command
    env = env_for(daemon.home.root)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"  # where `codetape` and `pylsp` are
    client = RawClient(command, env, cwd=ws)
    doc = (ws / "mod.py").as_uri()
    answer = client.request("initialize", {
        "processId": None, "rootUri": ws.as_uri(), "clientInfo": {"name": editor, "version": "0"},
        "capabilities": {"textDocument": {"synchronization": {"didSave": True}}}})
    assert answer["result"]["serverInfo"]["name"] == server_name, answer
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "python", "version": 1,
                                                            "text": "x = 1\n"}})
    end_of_file = {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}
    client.notify("textDocument/didChange", {"textDocument": {"uri": doc, "version": 2},
                                             "contentChanges": [{"range": end_of_file, "text": "y = 2\n"}]})
    client.notify("textDocument/didSave", {"textDocument": {"uri": doc}, "text": "x = 1\ny = 2\n"})
    client.request("shutdown", None)
    client.notify("exit", None)
    assert client.proc.wait(60) == 0, client.stderr[-3000:]
    episode = seal(daemon, ws, until=at_least(1, "save", path="mod.py"), what="the save")
    assert texts_at_saves(episode, "mod.py") == ["x = 1\ny = 2\n"]
    assert episode.header.client is not None and episode.header.client.name == editor
    kinds = [s["kind"] for s in steps_of(episode) if s["kind"] in ("open", "edit", "save")]
    assert kinds == ["open", "edit", "save"]
