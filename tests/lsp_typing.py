"""Typing into documents through a real bridge, one keystroke per didChange, as an editor does.

The editor is pygls's own client (pytest-lsp's `LanguageClient`, started by the bridge harness's
`start_bridge`: `python -m lsp_bridge --no-autostart` for the collector of a CODETAPE_HOME); positions
are counted in the encoding the bridge chose. Tests that need an editor's keystrokes rather than a whole
editor use this module, so it is written once.

    typist = await Typist.start(home, root, name="review-test")
    typist.open("calc.py", text)
    typist.replace("calc.py", "a - b", "a + b")
    await typist.type("calc.py", "def greet(name): ...\n", delay=0.01)
    typist.save("calc.py")
    await typist.stop()

`record_calc_session(base)` records, in-process, the session `codetape demo --editor typist` recorded
before the demo came to drive only a real Neovim: the same scratch project, keystrokes, commit and test
run, laid out as `codetape demo --dir BASE` lays them out. `commit_test_and_seal` is its ending, shared.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from collector.demo.project import NEW_FUNCTION, git, scaffold
from collector.demo.run import count, wait_for_steps
from collector.home import Home
from collector.text.positions import caret_after, units
from schemas.common import PositionEncoding
from tests import cli
from tests.support.bridge_harness import change, init_params, start_bridge
from tests.support.collector_harness import running


@dataclass
class Document:
    """What the editor holds of one open document."""

    text: str
    version: int
    end: tuple[int, int]  # the caret at the end of the text, in the bridge's encoding


class Typist:
    """An editor's side of text sync: open, type (one didChange per character), replace, save, close."""

    def __init__(self, client: LanguageClient, root: Path, encoding: PositionEncoding) -> None:
        self.client = client
        self.root = root
        self.encoding = encoding
        self.documents: dict[str, Document] = {}

    @classmethod
    async def start(cls, home: Path, root: Path, *, name: str, encodings: list[str] | None = None) -> Typist:
        """A bridge recording into the collector of `home`, initialized by an editor called `name`."""
        client = await start_bridge(home)
        result = await client.initialize_session(init_params(root, encodings, name=name))
        encoding = cast(PositionEncoding, result.capabilities.position_encoding or "utf-16")
        return cls(client, root, encoding)

    def uri(self, relpath: str) -> str:
        return (self.root / relpath).as_uri()

    def open(self, relpath: str, text: str, language_id: str = "python") -> None:
        self.documents[relpath] = Document(text, 1, caret_after(0, 0, text, self.encoding))
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
            uri=self.uri(relpath), language_id=language_id, version=1, text=text)))

    async def type(self, relpath: str, text: str, *, delay: float = 0.0) -> None:
        """Type `text` at the end of the document, one didChange per character, `delay` seconds apart."""
        doc = self.documents[relpath]
        for ch in text:
            line, character = doc.end
            doc.version += 1
            doc.text += ch
            doc.end = caret_after(line, character, ch, self.encoding)
            self.client.text_document_did_change(
                change(self.uri(relpath), doc.version, ((line, character, line, character), ch)))
            if delay:
                await asyncio.sleep(delay)  # the typing pace, so the steps spread over time as a person's do

    def replace(self, relpath: str, old: str, new: str) -> None:
        """Replace the first `old` (within one line) by `new` with one ranged didChange."""
        doc = self.documents[relpath]
        start = doc.text.index(old)
        line = doc.text.count("\n", 0, start)
        character = units(doc.text[doc.text.rfind("\n", 0, start) + 1 : start], self.encoding)
        end = character + units(old, self.encoding)
        doc.text = doc.text[:start] + new + doc.text[start + len(old) :]
        doc.end = caret_after(0, 0, doc.text, self.encoding)
        doc.version += 1
        self.client.text_document_did_change(
            change(self.uri(relpath), doc.version, ((line, character, line, end), new)))

    def save(self, relpath: str) -> str:
        """Write the document to disk and send didSave with its text; returns the text saved."""
        text = self.documents[relpath].text
        (self.root / relpath).write_text(text, encoding="utf-8", newline="")
        self.client.text_document_did_save(lsp.DidSaveTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=self.uri(relpath)), text=text))
        return text

    def close(self, relpath: str) -> None:
        del self.documents[relpath]
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=self.uri(relpath))))

    async def stop(self) -> int | None:
        """shutdown and exit; returns the bridge's exit status once it has exited (it flushes first)."""
        await self.client.shutdown_session()
        await self.client.stop()
        server = self.client._server  # pygls keeps the process it started here
        return None if server is None else server.returncode


def in_own_loop(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run `coroutine` to the end in an event loop of its own thread (the caller's thread may be running
    one already: playwright's sync API does)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def commit_test_and_seal(home: Home, project: Path, *, saves: int, message: str) -> Path:
    """Once the collector holds the editor's `saves` saves: commit everything, run pytest, wait for the
    collector to have recorded the commit and the test run, seal. Returns the sealed episode's path."""
    saved = count("save")
    wait_for_steps(home, project, lambda steps: saved(steps) == saves, f"the editor's {saves} saves")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)
    commit = count("git", op="commit", sha=git(project, "rev-parse", "HEAD").strip())
    wait_for_steps(home, project, lambda steps: commit(steps) == 1, "the commit")
    env = {**os.environ, "CODETAPE_HOME": str(home.root)}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert tests.returncode == 0, tests.stdout
    runs = count("test_run")
    wait_for_steps(home, project, lambda steps: runs(steps) == 1, "the test run")
    sealed = cli.codetape(home.root, "seal", str(project), "--json", check=True)
    return Path(json.loads(sealed.stdout)["path"])


async def type_calc_fix(home: Path, project: Path) -> None:
    """What the demo's scripted client typed: fix add(), type greet() after it, save, close."""
    typist = await Typist.start(home, project, name="codetape-demo")
    typist.open("calc.py", (project / "calc.py").read_text(encoding="utf-8"))
    typist.replace("calc.py", "a - b", "a + b")
    await typist.type("calc.py", NEW_FUNCTION, delay=0.005)
    typist.save("calc.py")
    typist.close("calc.py")
    assert await typist.stop() == 0


def record_calc_session(base: Path) -> Path:
    """`codetape demo --editor typist --dir BASE` as it was: the scratch project in BASE/project, opted in,
    recorded by a collector with BASE/home; the fix typed through the bridge (editor "codetape-demo",
    UTF-16), a commit, a test run, sealed. Returns the sealed episode's path."""
    home, project = base / "home", base / "project"
    scaffold(project)
    cli.codetape(home, "init", str(project), check=True)
    with running(home) as daemon:
        in_own_loop(type_calc_fix(home, project))
        return commit_test_and_seal(daemon.home, project, saves=1, message="calc: fix add, add greet")
