"""Notebooks through a real bridge and collector, as jupyter-lsp sends them with `jupyter lab` started in
the folder above the workspace: a new notebook renamed at its first save is tied to the file it became,
and a notebook in no opted-in workspace says so, in the bridge's stderr (Jupyter's log) and in
`codetape status`. (tests/e2e/jupyterlab drives JupyterLab itself.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

from collector.episode.notebooks import Mirrors
from collector.text.notebook_cells import virtual_text
from schemas.steps import EditStep, SaveStep
from tests.cli import codetape
from tests.support.bridge_harness import BRIDGE, RawClient, at_least, daemon, seal, ws
from tests.support.collector_harness import Daemon, env_for, wait_recorded
from tests.waiting import wait_for

__all__ = ["daemon", "ws"]  # (the harness's fixtures)


def ipynb(*sources: str) -> str:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
             for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def lab(client: RawClient, jupyter: Path) -> None:
    """The bridge initialized as jupyter-lsp's JupyterLab client does it, from Jupyter's root."""
    client.request("initialize", {"processId": None, "rootUri": jupyter.as_uri(), "workspaceFolders": None,
                                  "initializationOptions": None, "capabilities": {}})
    client.notify("initialized", {})


def typed(client: RawClient, uri: str, texts: list[str], version: int = 1) -> int:
    """Each text sent whole, as JupyterLab sends every change."""
    for text in texts:
        version += 1
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
    return version


def test_a_new_notebook_renamed_at_its_first_save_is_tied_to_the_file_it_became(
        daemon: Daemon, ws: Path) -> None:
    jupyter = ws.parent
    (ws / "Untitled.ipynb").write_text(ipynb(""))  # JupyterLab's new notebook
    client = RawClient(BRIDGE, env_for(daemon.home.root), cwd=jupyter)
    lab(client, jupyter)
    uri = (jupyter / ".virtual_documents" / ws.name / "Untitled.ipynb").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                            "text": virtual_text([("code", "")])}})
    code = "import os\n\n\ndef f():\n    return os.sep"
    typed(client, uri, [virtual_text([("code", code[:n])]) for n in range(1, len(code) + 1)])
    wait_recorded(daemon.home, ws, at_least(len(code), "edit"), "the typing")  # (typed before the save)
    os.rename(ws / "Untitled.ipynb", ws / "analysis.ipynb")  # the name given at the first save
    (ws / "analysis.ipynb").write_text(ipynb(code))
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    episode = seal(daemon, ws, what="the renamed notebook's save", until=lambda steps: any(
        s["kind"] == "file_change" and s.get("text") == ipynb(code) for s in steps) and any(
        s["kind"] == "save" for s in steps))
    assert client.shutdown() == 0
    steps = list(episode.steps())
    virtual = ".virtual_documents/Untitled.ipynb"  # (jupyterlab-lsp goes on sending the first name)
    assert [s.notebook for s in steps if isinstance(s, SaveStep) and s.path == virtual] == ["analysis.ipynb"]
    edits = [s for s in steps if isinstance(s, EditStep) and s.path == virtual]
    assert [(s.cell, s.cell_unknown) for s in edits] == [(0, None)] * len(code)  # a PEP 8 cell: one cell
    mirrors = Mirrors()
    for step in steps:
        mirrors.see(step)
    assert "analysis.ipynb" in mirrors.notebooks  # its saves not counted again as outside writes


def test_a_notebook_in_no_opted_in_workspace_says_so(daemon: Daemon, ws: Path) -> None:
    jupyter = ws.parent
    stray = jupyter / "stray" / "nb.ipynb"
    stray.parent.mkdir()
    stray.write_text(ipynb("x = 1"))
    client = RawClient(BRIDGE, env_for(daemon.home.root), cwd=jupyter)
    lab(client, jupyter)
    uri = (jupyter / ".virtual_documents" / "stray" / "nb.ipynb").as_uri()
    for _ in range(2):  # (said once)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python",
                                                                "version": 1, "text": "x = 1\n"}})
    said = f"codetape: {stray.resolve()} is in no opted-in workspace, so it is not recorded"
    wait_for(lambda: said in client.stderr, 30, "the bridge's word on the stray notebook")

    def unrecorded() -> list[dict[str, str]]:
        with daemon.client() as asking:
            found: list[dict[str, str]] = asking.request("status")["unrecorded"]
        return found

    wait_for(unrecorded, 30, "the collector told of the stray notebook")
    assert unrecorded() == [{"path": str(stray.resolve()), "why": "notebook in no opted-in workspace"}]
    shown = codetape(daemon.home.root, "status", check=True).stdout
    assert f"{stray.resolve()}: not recorded: notebook in no opted-in workspace" in shown
    assert client.shutdown() == 0
    assert client.stderr.count(said) == 1
