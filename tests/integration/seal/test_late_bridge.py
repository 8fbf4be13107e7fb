"""The late bridge (collector/seal/late_open.py): an editor saves a file before its bridge connects, more
than HOLD_MS after the file watcher saw the save; the bridge's `open` of the file, with the text the save
wrote, explains the watcher's change, which the episode then does not hold as somebody's outside write.
A real collector and a real bridge process, started only once the watcher's change is in the journal."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.support.bridge_harness import daemon, init_params, seal, start_bridge, steps_of, uri, ws
from tests.support.collector_harness import Daemon, wait_recorded

__all__ = ["daemon", "ws"]


async def test_a_save_before_the_bridge_connected_is_the_editor_s_own(daemon: Daemon, ws: Path) -> None:
    saved = "def add(a, b):\n    return a + b\n"
    (ws / "app.py").write_text(saved)  # the editor's save: its bridge is not connected yet
    (ws / "notes.md").write_text("somebody else's\n")  # an outside write, which no editor opens as it is
    wait_recorded(daemon.home, ws, lambda steps: {s.get("path") for s in steps if s["kind"] == "file_change"}
                  >= {"app.py", "notes.md"}, "the watcher's changes of app.py and notes.md")

    client = await start_bridge(daemon.home.root)  # late: the watcher's changes are recorded already
    await client.initialize_session(init_params(ws))
    for name, text in (("app.py", saved), ("notes.md", "the editor's own text\n")):
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
            uri=uri(ws, name), language_id="python", version=1, text=text)))
    await client.shutdown_session()

    steps = steps_of(seal(daemon, ws, until=lambda steps: sum(s["kind"] == "open" for s in steps) == 2,
                          what="the bridge's two opens"))
    assert [(s["kind"], s["path"]) for s in steps if s["kind"] in ("file_change", "open")] == [
        ("file_change", "notes.md"), ("open", "app.py"), ("open", "notes.md")]
    assert next(s for s in steps if s["kind"] == "open" and s["path"] == "app.py")["text"] == saved
