"""A notebook in real VS Code (code-server 4.100.3, the packaged extension, driven in Chromium by
editor_extensions/vscode/e2e/notebook.mjs) recorded as JupyterLab's is (issue 98): one virtual document,
`.virtual_documents/nb.ipynb`, every cell's source in it. The developer types into two code cells and a
markdown cell, adds a cell, moves it, saves, types again and saves (no kernel: nothing runs). Every keystroke
is an edit, in order, with the notebook's cell it was typed in and the extension's evidence that it was
typed; replay gives the notebook's cell sources at each save, byte for byte."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from collector.home import Home
from collector.text.notebook_cells import SEPARATOR, notebook_cells
from schemas.steps import EditStep, SaveStep
from tests.e2e.conftest import saved_texts, saves_of, seal
from tests.e2e.vscode.test_extension_vscode import (  # noqa: F401 (module-scoped fixtures)
    E2E,
    code_server,
    extension_log,
    running_code_server,
    tool,
    vsix,
)
from tests.support.collector_harness import wait_recorded
from tests.waiting import wait_for

NOTEBOOK, VIRTUAL = "nb.ipynb", ".virtual_documents/nb.ipynb"
CELLS = [("code", "a = 1"), ("markdown", "# Notes"), ("code", "b = 2")]
CODE0, MARKDOWN, CODE2, ADDED, AGAIN = " + 10", " and more", " * 3", "c = a + b", " + 1"


def ipynb(cells: list[tuple[str, str]]) -> str:
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": [source],
                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                                 for kind, source in cells],
                       "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5})


def joined(cells: list[tuple[str, str]]) -> bytes:
    return (SEPARATOR.join(source for _, source in cells) + "\n").encode("utf-8")


def test_a_vscode_notebooks_keystrokes_and_cells(
        code_server: Path, vsix: Path, collector: object, workspace: Path, env: dict[str, str],  # noqa: F811
        tmp_path: Path) -> None:
    (workspace / NOTEBOOK).write_text(ipynb(CELLS), encoding="utf-8")
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    out = tmp_path / "notebook.json"
    first = [("code", "a = 1" + CODE0), ("markdown", "# Notes" + MARKDOWN), ("code", ADDED),
             ("code", "b = 2" + CODE2)]
    second = [*first[:2], ("code", ADDED + AGAIN), first[3]]
    at_saves = []
    # (code-server, as VS Code for the Web, saves after a second's pause by default: saves here are Ctrl+S's)
    with running_code_server(code_server, vsix, env, tmp_path, workspace, settings={"files.autoSave": "off"}
                             ) as (port, _):
        argv = [tool("node"), str(E2E / "notebook.mjs"), f"http://127.0.0.1:{port}/?folder={workspace}",
                NOTEBOOK, str(out), CODE0, MARKDOWN, CODE2, ADDED, AGAIN]
        with subprocess.Popen(argv, cwd=E2E, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True) as driver:
            try:
                def alive() -> None:
                    assert driver.poll() is None, \
                        out.read_text(encoding="utf-8") if out.exists() else "the driver stopped"

                def marker(name: str) -> bool:
                    alive()
                    return out.with_name(f"{out.name}.{name}").exists()

                def on_disk() -> list[tuple[str, str]] | None:
                    alive()
                    return notebook_cells((workspace / NOTEBOOK).read_text(encoding="utf-8"))

                wait_for(lambda: marker("opened"), 300, "VS Code to open the notebook")
                wait_recorded(home, workspace, lambda steps: any(
                    s["kind"] == "open" and s.get("path") == VIRTUAL for s in steps), "the notebook's open")
                out.with_name(f"{out.name}.open-recorded").touch()
                for count, cells in enumerate((first, second), start=1):
                    wait_for(lambda cells=cells: on_disk() == cells, 300,  # type: ignore[misc]
                             f"save {count} of the notebook", detail=on_disk)
                    wait_recorded(home, workspace, saves_of(VIRTUAL, count), f"save {count} recorded")
                    at_saves.append(on_disk())
                    out.with_name(f"{out.name}.saved{count}").touch()
                _, stderr = driver.communicate(timeout=120)
            finally:
                driver.kill()
        seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        assert driver.returncode == 0 and seen.get("ok"), (seen.get("error"), stderr[-3000:],
                                                           extension_log(tmp_path))
    assert at_saves == [first, second]
    episode = seal(env, workspace, saves_of(VIRTUAL, 2), "the notebook's two saves")
    assert saved_texts(episode, VIRTUAL) == [joined(first), joined(second)]
    steps = list(episode.steps())
    edits = [s for s in steps if isinstance(s, EditStep) and s.path == VIRTUAL]
    assert all(s.cell is not None for s in edits)
    keys = [(s.changes[0].text, s.cell, s.origin) for s in edits if len(s.changes) == 1 and
            len(s.changes[0].text) == 1 and s.changes[0].range is not None and
            s.changes[0].range.start == s.changes[0].range.end]
    typed = [(key, cell) for text, cell in ((CODE0, 0), (MARKDOWN, 1), (CODE2, 2), (ADDED, 3), (AGAIN, 2))
             for key in text]
    assert [(text, cell) for text, cell, _ in keys] == typed
    assert {origin for _, _, origin in keys} == {"typed"}, keys
    assert [s.notebook for s in steps if isinstance(s, SaveStep) and s.path == VIRTUAL] == [NOTEBOOK] * 2
