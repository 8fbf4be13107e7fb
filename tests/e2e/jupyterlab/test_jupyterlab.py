"""JupyterLab 4 with jupyterlab-lsp, recorded for real: a `jupyter lab` server on loopback whose jupyter-lsp
starts `codetape bridge -- pylsp` (docs/editors.md, JupyterLab), driven by Playwright in Debian's
Chromium, against a real collector. Between the bridge and pylsp a relay logs every byte JupyterLab sent
the server (bridge_harness.tee): the recording's virtual document at each save equals, byte for byte, the
document the server was sent; every change the server got is an edit step, recorded as a ranged change
(JupyterLab sends the whole text) and, in a notebook, with the notebook's cell it was typed in (markdown
cells counted); the notebook's `.ipynb` at each save is what the watcher recorded, its kernel metadata
masked at the seal; the shadow folders (`.virtual_documents/`, `.ipynb_checkpoints/`) give no
`file_change` step; and the episode's client is `JupyterLab (inferred)`, as JupyterLab names none.
Scenarios: typing into two cells, code cells between markdown ones, adding and deleting a cell, a `.py`
file in JupyterLab's file editor; the issue 91 session on two servers, one started in the workspace and
one in its parent folder (`lab_above`): a markdown cell above a cell formatted to PEP 8 and a plotting
cell, run, saved, edited and saved again, each edit told in the notebook's cell it was typed in, no output
or execution count in the episode, the saves not counted again as written, `codetape verify` passing; a
new notebook renamed at its first save, tied to the file it became; and a second workspace under the
server above, sharing its outputs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from collector.episode import Episode
from collector.reconstruct.workspace import replay
from collector.reconstruct.written import summarize_replayed
from lsp_bridge.wire.initialize import JUPYTERLAB
from schemas.header import ClientInfo
from schemas.settings import ALL_CHANNELS
from schemas.steps import EditStep, FileChangeStep, GapStep, SaveStep
from tests.cli import codetape
from tests.e2e.report.test_report_browser import browser
from tests.support.bridge_harness import seal, steps_of, tee, texts_at_saves
from tests.support.collector_harness import Daemon, env_for, journal_steps, opt_in, running
from tests.waiting import wait_for

__all__ = ["browser"]  # (Debian's Chromium, the report tests' fixture)

BIN = Path(sys.executable).parent
TOKEN = "codetape-tests"
VIRTUAL = ".virtual_documents"
CELL = ".jp-NotebookPanel:visible .jp-Cell"
# an output that is a traceback (JupyterLab renders an error as stderr; matplotlib's "building the font
# cache" note, also stderr, names no error)
RAISED = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']:has-text('Error')"


def notebook(sources: list[str], markdown: frozenset[int] = frozenset()) -> str:
    """A notebook of these cells' sources, code cells but for those numbered in `markdown`."""
    cells = [{"cell_type": "markdown", "id": f"cell{n}", "metadata": {}, "source": source} if n in markdown
             else {"cell_type": "code", "execution_count": None, "id": f"cell{n}", "metadata": {},
                   "outputs": [], "source": source} for n, source in enumerate(sources)]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                                   "language": "python", "name": "python3"},
                                                    "language_info": {"name": "python"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


@dataclass
class Lab:
    daemon: Daemon
    root: Path  # the opted-in workspace
    url: str
    logs: Path  # what the relay saw: in.bin, the bytes JupyterLab sent the server
    prefix: str = ""  # the workspace's folder under Jupyter's root ("": Jupyter serves the workspace)

    @property
    def jupyter_root(self) -> Path:
        return self.root.parents[len(Path(self.prefix).parts) - 1] if self.prefix else self.root

    def sent(self) -> list[dict[str, Any]]:
        """Every message JupyterLab sent the language server, in order."""
        data = (self.logs / "in.bin").read_bytes() if (self.logs / "in.bin").exists() else b""
        return list(frames(data))

    def served(self, relpath: str) -> tuple[list[str], int]:
        """The document at `relpath` as the server had it at each of its saves, and its changes counted."""
        texts, saves, changes = {}, [], 0
        for message in self.sent():
            params = message.get("params") or {}
            document = params.get("textDocument") or {}
            if self._relpath(document.get("uri")) != relpath:
                continue
            match message.get("method"):
                case "textDocument/didOpen":
                    texts[relpath] = document["text"]
                case "textDocument/didChange":
                    for change in params["contentChanges"]:
                        assert "range" not in change, "JupyterLab sends the whole text"
                        texts[relpath] = change["text"]
                        changes += 1
                case "textDocument/didSave":
                    saves.append(texts[relpath])
        return saves, changes

    def sent_texts(self, relpath: str) -> list[str]:
        """Every whole text of `relpath` JupyterLab sent the server."""
        return [change["text"] for message in self.sent() if message.get("method") == "textDocument/didChange"
                and self._relpath(message["params"]["textDocument"]["uri"]) == relpath
                for change in message["params"]["contentChanges"]]

    def _relpath(self, uri: object) -> str | None:
        """The workspace-relative path of a document JupyterLab sent (a virtual document's under Jupyter's
        root, `.virtual_documents/PREFIX/REL`, as `.virtual_documents/REL`)."""
        if not isinstance(uri, str):
            return None
        path = Path(unquote(urlsplit(uri).path))
        if not path.is_relative_to(self.jupyter_root):
            return None
        relative = path.relative_to(self.jupyter_root)
        virtual = relative.parts[:1] == (VIRTUAL,)
        inside = Path(*relative.parts[1:]) if virtual else relative
        if not inside.is_relative_to(self.prefix):
            return None
        relpath = str(inside.relative_to(self.prefix))
        return f"{VIRTUAL}/{relpath}" if virtual else relpath

    def page(self, browser: Browser, relpath: str) -> Page:
        """`relpath` opened in JupyterLab, once its document reached the bridge (edits before that would
        fold into the document's open)."""
        page = browser.new_page()
        served = f"{self.prefix}/{relpath}" if self.prefix else relpath
        page.goto(f"{self.url}/lab/tree/{served}?reset&token={TOKEN}")  # (not the tabs the last test left)
        virtual = shown(relpath)
        wait_for(lambda: any(s["kind"] == "open" and s.get("path") == virtual
                             for s in journal_steps(self.daemon.home, self.root)),
                 90, f"JupyterLab's language server connection to open {virtual}")
        return page


def frames(data: bytes) -> Iterator[dict[str, Any]]:
    """The JSON bodies of the LSP frames in `data` (`Content-Length` headers, CRLF CRLF, the body)."""
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        yield json.loads(rest[:length])
        data = rest[length:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One collector, one opted-in workspace and one `jupyter lab` serving it, configured as
    docs/editors.md says (the exact JSON), its server command relayed through the logging tee."""
    yield from serving(tmp_path_factory.mktemp("jupyterlab"), "")


@pytest.fixture(scope="module")
def lab_above(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The same, with `jupyter lab` started in the folder above the workspace (`projects/ws`)."""
    yield from serving(tmp_path_factory.mktemp("jupyterlab-above"), "ws")


def serving(base: Path, prefix: str) -> Iterator[Lab]:
    """A collector and `jupyter lab` serving the workspace `base/projects/ws` from `base/projects/PREFIX`'s
    parent folders up (`prefix` "": from the workspace itself)."""
    with running(base / "ct") as daemon:
        root = opt_in(base / "projects" / "ws", home=daemon.home.root)
        served = root.parents[len(Path(prefix).parts) - 1] if prefix else root
        with daemon.client() as client:
            client.request("watch", workspace=str(root))
        relay, logs = tee(base, "relay")
        config = base / "config"
        config.mkdir()
        spec = {"argv": [str(BIN / "codetape"), "bridge", "--", *relay], "languages": ["python"],
                "mime_types": ["text/x-python", "text/x-ipython"], "version": 2,
                "display_name": "pylsp (codetape)"}
        (config / "jupyter_server_config.json").write_text(json.dumps(
            {"LanguageServerManager": {"autodetect": False, "language_servers": {"codetape-pylsp": spec}}}))
        port = free_port()
        env = env_for(daemon.home.root, {"HOME": str(base / "user"), "JUPYTER_CONFIG_DIR": str(config),
                                         "JUPYTER_DATA_DIR": str(base / "data"),
                                         "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
                                         "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
        with (base / "jupyter.log").open("wb") as log:
            server = subprocess.Popen(
                [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                 f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}",
                 f"--ServerApp.root_dir={served}", "--allow-root"],
                env=env, stdout=log, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                wait_for(lambda: _answers(f"{url}/api/status?token={TOKEN}", server), 120,
                         "jupyter lab to answer", detail=lambda: (base / "jupyter.log").read_text()[-2000:])
                yield Lab(daemon, root, url, logs, prefix)
            finally:
                server.terminate()
                server.wait(timeout=60)


def _answers(url: str, server: subprocess.Popen[bytes]) -> bool:
    if server.poll() is not None:
        raise AssertionError(f"jupyter lab exited with {server.returncode}")
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def typed(page: Page, cell: int, text: str) -> None:
    """Click into the notebook's `cell`-th cell and type `text` key by key."""
    page.locator(CELL).nth(cell).locator(".cm-content").click()
    page.keyboard.type(text, delay=30)


def ran(page: Page, cell: int, shows: str) -> None:
    """Run the notebook's `cell` (Ctrl+Enter) and wait until it shows `shows`; a cell that raised fails at
    once with its traceback, not after the whole wait (a kernel without matplotlib, in a virtual environment
    set up before the test extra had it, had waited the 120 s for a plot that never came)."""
    found = page.locator(CELL).nth(cell)
    found.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    raised = found.locator(RAISED)
    found.locator(shows).or_(raised).first.wait_for(timeout=120_000)
    assert not raised.count(), f"cell {cell} raised: {raised.first.inner_text()[-1500:]}"


def saved(lab: Lab, page: Page, relpath: str, holds: str) -> str:
    """Save with Ctrl+S once the server was sent what was typed; the file's text once it holds `holds` and
    the bridge recorded the save."""
    virtual = shown(relpath)
    before = saves(lab, virtual)
    page.keyboard.press("Control+s")
    wait_for(lambda: holds in (lab.root / relpath).read_text(), 60, f"{relpath} saved holding {holds!r}")
    wait_for(lambda: saves(lab, virtual) > before, 60, f"the save of {virtual}")
    return (lab.root / relpath).read_text()


def shown(relpath: str) -> str:
    """The document the language server is sent for `relpath`: a notebook's virtual document."""
    return f"{VIRTUAL}/{relpath}" if relpath.endswith(".ipynb") else relpath


def saves(lab: Lab, virtual: str) -> int:
    steps = journal_steps(lab.daemon.home, lab.root)
    return sum(s["kind"] == "save" and s.get("path") == virtual for s in steps)


def sealed(lab: Lab, relpath: str, last: str) -> Episode:
    """The workspace's episode, sealed once the watcher recorded `relpath`'s last text (a notebook's: the
    bridge recorded the save already; a file the editor saved is the save's)."""
    if not relpath.endswith(".ipynb"):
        return seal(lab.daemon, lab.root, what=f"the save of {relpath}",
                    until=lambda steps: any(s["kind"] == "save" and s["path"] == relpath for s in steps))
    return seal(lab.daemon, lab.root, what=f"the watcher's record of {relpath}'s last save",
                until=lambda steps: any(s["kind"] == "file_change" and s["path"] == relpath and
                                        s.get("text") == last for s in steps))


def checked(lab: Lab, relpath: str, on_disk: list[str], episode: Episode, cells: list[int] | None = None
            ) -> None:
    """The recording against what the server was sent and what was on disk (the module's docstring);
    `cells`: the notebook cell each change before the first save, the second, ... was typed in."""
    virtual = shown(relpath)
    served, changes = lab.served(virtual)
    assert served and texts_at_saves(episode, virtual) == served
    assert episode.header.client == ClientInfo(name=JUPYTERLAB)  # it sends no clientInfo
    steps = steps_of(episode)
    assert sum(s["kind"] == "edit" and s["path"] == virtual for s in steps) == changes
    recorded = in_cells(steps, virtual)
    assert changes and recorded == in_cells(steps, virtual, cells or [])
    assert set(cells or []) <= {cell for _, cell in recorded}  # (each save came after edits in its cell)
    assert not [s for s in steps if s["kind"] == "gap"], [s for s in steps if s["kind"] == "gap"]
    assert not [s for s in steps if s["kind"] == "file_change" and
                s["path"].split("/")[0] in (VIRTUAL, ".ipynb_checkpoints")]
    written = [workspace.disk[step.path] for _, step, workspace in
               replay(episode.header.position_encoding, episode.steps())
               if isinstance(step, FileChangeStep) and step.path == relpath]
    if relpath.endswith(".ipynb"):  # the disk but for the kernel metadata, masked at the seal
        assert [masked_away(json.loads(text)) for text in written[-len(on_disk):]] == [
            masked_away(json.loads(text)) for text in on_disk]
        assert all("python3" not in text and '"«redacted:notebook_metadata:' in text for text in written)
    else:
        assert written[-len(on_disk):] == on_disk  # what the watcher recorded of each save is the disk
    if not relpath.endswith(".ipynb"):  # a file in JupyterLab's editor: its document is the file's text
        assert [text.removesuffix("\n") for text in served] == on_disk  # and one more line break
        # (jupyterlab-lsp ends every document it sends with one: docs/editors.md, JupyterLab)


def masked_away(notebook: dict[str, Any]) -> dict[str, Any]:
    """A notebook without what the seal masks unless `notebook_outputs` is on (collector/seal/notebooks.py):
    its kernel metadata, its cells' outputs and execution counts (none here: the cells are not run)."""
    meta = {key: value for key, value in notebook["metadata"].items()
            if key not in ("kernelspec", "language_info")}
    cells = [{key: value for key, value in cell.items() if key not in ("outputs", "execution_count")}
             for cell in notebook["cells"]]
    return {**notebook, "metadata": meta, "cells": cells}


def in_cells(steps: list[dict[str, Any]], virtual: str, cells: list[int] | None = None
             ) -> list[tuple[str, int | None]]:
    """Each edit of `virtual` as (its range's start, its cell): the recorded cells, or with `cells` the
    expected ones (the cell of the save it comes before; none for a change that changes nothing, and none
    in a file: `cells` empty)."""
    found, at_save = [], 0
    for step in steps:
        if step["kind"] == "save" and step["path"] == virtual:
            at_save += 1
        if step["kind"] != "edit" or step["path"] != virtual:
            continue
        (change,) = step["changes"]  # one ranged change: JupyterLab's whole text, narrowed
        where = change["range"]
        moot = where["start"] == where["end"] and not change["text"]
        found.append((f"{where['start']['line']}:{where['start']['character']}",
                      step.get("cell") if cells is None else None if moot or not cells else cells[at_save]))
    return found


def test_typing_into_two_cells_and_saving(lab: Lab, browser: Browser) -> None:
    (lab.root / "two.ipynb").write_text(notebook(["", ""]))
    page = lab.page(browser, "two.ipynb")
    typed(page, 0, "import math\n")
    first = saved(lab, page, "two.ipynb", "import math")
    typed(page, 1, "radius = 2\narea = math.pi * radius ** 2")
    second = saved(lab, page, "two.ipynb", "area = math.pi")
    page.close()
    checked(lab, "two.ipynb", [first, second], sealed(lab, "two.ipynb", second), cells=[0, 1])


def test_a_markdown_cell_is_counted_as_the_notebook_counts_its_cells(lab: Lab, browser: Browser) -> None:
    sources = ["# Title", "", "", "Some prose."]
    (lab.root / "prose.ipynb").write_text(notebook(sources, markdown=frozenset({0, 3})))
    page = lab.page(browser, "prose.ipynb")
    typed(page, 1, "import os\n")
    first = saved(lab, page, "prose.ipynb", "import os")
    typed(page, 2, "x = os.sep")
    second = saved(lab, page, "prose.ipynb", "x = os.sep")
    page.close()
    kinds = [cell["cell_type"] for cell in json.loads(second)["cells"]]
    assert kinds == ["markdown", "code", "code", "markdown"]
    checked(lab, "prose.ipynb", [first, second], sealed(lab, "prose.ipynb", second), cells=[1, 2])


def test_adding_and_deleting_a_cell_and_saving(lab: Lab, browser: Browser) -> None:
    (lab.root / "cells.ipynb").write_text(notebook(["x = 1"]))
    page = lab.page(browser, "cells.ipynb")
    page.locator(CELL).nth(0).click()
    page.keyboard.press("Escape")  # command mode: `b` adds a cell below
    page.keyboard.press("b")
    wait_for(lambda: page.locator(CELL).count() == 2, 30, "the added cell")
    typed(page, 1, "y = x + 1")
    added = saved(lab, page, "cells.ipynb", "y = x + 1")
    page.keyboard.press("Escape")
    page.keyboard.press("d")
    page.keyboard.press("d")  # the second cell deleted
    wait_for(lambda: page.locator(CELL).count() == 1, 30, "the cell deleted")
    deleted = saved(lab, page, "cells.ipynb", '"id": "cell0"')
    assert "y = x + 1" not in deleted
    page.close()
    checked(lab, "cells.ipynb", [added, deleted], sealed(lab, "cells.ipynb", deleted), cells=[1, 1])


def test_a_python_file_in_jupyterlab_s_editor(lab: Lab, browser: Browser) -> None:
    (lab.root / "script.py").write_text("def area(r):\n    return r\n")
    page = lab.page(browser, "script.py")
    page.locator(".jp-FileEditor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nprint(area(2))\n", delay=30)
    text = saved(lab, page, "script.py", "print(area(2))")
    page.close()
    checked(lab, "script.py", [text], sealed(lab, "script.py", text))


PEP8 = "import os\nprint(6 * 7007)\n\n\ndef f():\nreturn os.sep"  # prints 42042; typed: JupyterLab indents
PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])"


@pytest.mark.parametrize("where", ["lab", "lab_above"])
def test_a_pep8_cell_between_markdown_and_a_plot_run_saved_and_edited(
        where: str, browser: Browser, request: pytest.FixtureRequest) -> None:
    """Issue 91's session: each edit is told in the notebook's cell it was typed in (the markdown cell
    counted), the cell after the one holding two blank lines in a row included, before and after a save;
    what the cells printed and plotted, their execution counts and the kernel are not in the episode. With
    `jupyter lab` in the workspace's parent (`lab_above`), jupyter-lsp's `.virtual_documents/ws/pep8.ipynb`
    is recorded in the workspace's session as `.virtual_documents/pep8.ipynb`, with the `.ipynb`'s saves."""
    lab: Lab = request.getfixturevalue(where)
    relpath = "pep8.ipynb"
    (lab.root / relpath).write_text(notebook(["# Analysis", "", ""], markdown=frozenset({0})))
    virtual = shown(relpath)
    page = lab.page(browser, relpath)
    phases = [(0, -1)]  # (the changes JupyterLab had sent before it, the cell typed in; -1: none)

    def phase(cell: int, keys: str, fragment: str, at_start: bool = False) -> None:
        phases.append((lab.served(virtual)[1], cell))
        page.locator(CELL).nth(cell).locator(".cm-content").click()
        page.keyboard.press("Control+Home" if at_start else "Control+End")
        page.keyboard.type(keys, delay=30)
        # (`fragment`: what the text holds once every key typed was sent: a change counted for the next
        # phase must be typed in it)
        wait_for(lambda: any(fragment in text for text in lab.sent_texts(virtual)), 60,
                 f"JupyterLab to send {fragment!r}")

    phase(1, PEP8, "return os.sep")
    phase(2, PLOT, "plt.plot([1, 4, 9])")
    for cell, shows in ((1, ".jp-OutputArea-output:has-text('42042')"), (2, ".jp-OutputArea-output img")):
        phases.append((lab.served(virtual)[1], -1))  # (running sends the same text again, if anything)
        ran(page, cell, shows)
    first = saved(lab, page, relpath, "image/png")
    phase(2, "\nplt.title('squares')", "plt.title('squares')")
    phase(1, "# two blank lines below\n", "# two blank lines below\nimport os", at_start=True)
    second = saved(lab, page, relpath, "plt.title")
    page.close()
    episode = sealed(lab, relpath, second)
    cells = json.loads(second)["cells"]
    assert [cell["cell_type"] for cell in cells] == ["markdown", "code", "code"]
    assert "\n\n\ndef f():" in "".join(cells[1]["source"])  # (the PEP 8 cell, as saved)
    served, changes = lab.served(virtual)
    assert texts_at_saves(episode, virtual) == served  # every keystroke, byte for byte
    steps = list(episode.steps())
    edits = [step for step in steps if isinstance(step, EditStep) and step.path == virtual]
    assert len(edits) == changes and episode.header.client == ClientInfo(name=JUPYTERLAB)
    expected = [next(cell for start, cell in reversed(phases) if start <= n) for n in range(changes)]
    for edit, cell in zip(edits, expected, strict=True):
        (change,) = edit.changes
        moot = change.range is not None and change.range.start == change.range.end and not change.text
        assert (edit.cell, edit.cell_unknown) == ((None, None) if moot or cell < 0 else (cell, None)), edit
    assert [s.notebook for s in steps if isinstance(s, SaveStep) and s.path == virtual] == [relpath] * 2
    assert not [s for s in steps if isinstance(s, GapStep)]
    assert not [s for s in steps if isinstance(s, FileChangeStep) and  # (the shadow folders: not the work)
                s.path.split("/")[0] in (VIRTUAL, ".ipynb_checkpoints")]
    if lab.prefix:  # jupyter-lsp's shadow is under Jupyter's root, recorded as the workspace's `VIRTUAL/REL`
        assert (lab.jupyter_root / VIRTUAL / lab.prefix / relpath).exists()
    # no output, execution count or kernel: each save of the notebook masked, valid and otherwise the disk's
    written = [step.text for step in steps if isinstance(step, FileChangeStep) and step.path == relpath
               and step.text is not None]
    assert [masked_away(json.loads(text)) for text in written[-2:]] == [
        masked_away(json.loads(text)) for text in (first, second)]
    assert not any("42042" in text or "image/png" in text or "python3" in text for text in written)
    assert all(cell.get("execution_count") is None for text in written for cell in json.loads(text)["cells"])
    assert "42042" in first and '"execution_count": 1' in first  # (they were on disk)
    summary = summarize_replayed(episode)  # the saves not counted again: the typing is the writing
    created = next(step for step in steps if isinstance(step, FileChangeStep) and step.path == relpath)
    assert created.change == "created" and created.text is not None  # (the test's, before JupyterLab's)
    assert summary.files[relpath].written == {"unknown": len(created.text)}
    typed_chars = sum(len(edit.changes[0].text) for edit in edits)
    assert sum(summary.written.values()) == typed_chars + len(created.text)
    assert codetape(lab.daemon.home.root, "verify", str(episode.path)).returncode == 0


def test_a_new_notebook_renamed_at_its_first_save(lab: Lab, browser: Browser) -> None:
    """JupyterLab 4 asks a new notebook's name at its first save and renames `Untitled.ipynb`; jupyterlab-lsp
    goes on sending `.virtual_documents/Untitled.ipynb`. The episode ties that document's code to the file
    it became: its save names `analysis.ipynb`, its edits the cells of that notebook."""
    page = browser.new_page()
    page.goto(f"{lab.url}/lab?reset&token={TOKEN}")
    page.locator('.jp-LauncherCard[data-category="Notebook"]').first.click()  # Untitled.ipynb, new
    virtual = f"{VIRTUAL}/Untitled.ipynb"
    wait_for(lambda: any(s["kind"] == "open" and s.get("path") == virtual
                         for s in journal_steps(lab.daemon.home, lab.root)), 90, f"the open of {virtual}")
    typed(page, 0, "import os\n\n\ndef f():\nreturn os.sep")
    wait_for(lambda: any("return os.sep" in text for text in lab.sent_texts(virtual)), 60, "the typing sent")
    page.keyboard.press("Control+s")
    name = page.locator('.jp-Dialog input[type="text"]')  # (beside it: "Do not ask for rename on save")
    name.wait_for(timeout=30_000)
    name.fill("analysis.ipynb")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    renamed = lab.root / "analysis.ipynb"
    wait_for(lambda: renamed.exists() and "return os.sep" in renamed.read_text(), 60, "analysis.ipynb saved")
    wait_for(lambda: saves(lab, virtual) > 0, 60, f"the save of {virtual}")
    page.close()
    last = renamed.read_text()
    episode = seal(lab.daemon, lab.root, what="the watcher's record of analysis.ipynb",
                   until=lambda steps: any(s["kind"] == "file_change" and s.get("text") == last and
                                           "analysis.ipynb" in (s["path"], s.get("new_path")) for s in steps))
    steps = list(episode.steps())
    # (JupyterLab 4 saves it as Untitled.ipynb, then renames it: the save names what the file became)
    assert [s.notebook for s in steps if isinstance(s, SaveStep) and s.path == virtual] == ["analysis.ipynb"]
    typing = [s for s in steps if isinstance(s, EditStep) and s.path == virtual]
    assert typing and all((s.cell, s.cell_unknown) in ((0, None), (None, None)) for s in typing), typing
    assert any(s.cell == 0 for s in typing)
    assert "".join(json.loads(last)["cells"][0]["source"]) == "import os\n\n\ndef f():\n    return os.sep"
    assert summarize_replayed(episode).files["analysis.ipynb"].written == {}  # (typed, not written again)


def test_a_workspace_that_shares_its_outputs_beside_one_that_does_not(lab_above: Lab, browser: Browser
                                                                       ) -> None:
    """A second opted-in workspace under the same Jupyter (started above both), with the `notebook_outputs`
    channel on: its notebook is recorded in its own episode, its outputs and execution counts kept and
    redacted like any text (a token a cell printed is masked)."""
    channels = ", ".join(json.dumps(channel) for channel in [*ALL_CHANNELS, "notebook_outputs"])
    home = lab_above.daemon.home.root
    root = opt_in(lab_above.jupyter_root / "shares", f"channels = [{channels}]\n", home=home)
    with lab_above.daemon.client() as client:
        client.request("watch", workspace=str(root))
    lab = Lab(lab_above.daemon, root, lab_above.url, lab_above.logs, "shares")
    (root / "out.ipynb").write_text(notebook(["", ""]))
    page = lab.page(browser, "out.ipynb")
    typed(page, 1, 'print(6 * 7007, "ghp_" + "Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4")')  # (the token: printed)
    ran(page, 1, ".jp-OutputArea-output:has-text('42042')")
    last = saved(lab, page, "out.ipynb", "42042")
    page.close()
    episode = sealed(lab, "out.ipynb", last)
    texts = [step.text for step in episode.steps() if isinstance(step, FileChangeStep)
             and step.path == "out.ipynb" and step.text is not None]
    (output,) = json.loads(texts[-1])["cells"][1]["outputs"]
    assert "42042" in "".join(output["text"]) and json.loads(texts[-1])["cells"][1]["execution_count"] == 1
    assert "«redacted:" in "".join(output["text"])
    assert not any("ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4" in text for text in texts)
    assert episode.header.workspace.root_name == "shares"  # (its own workspace's episode, not ws's)
