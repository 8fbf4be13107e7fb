"""`codetape/status`: what each editor shows about a workspace's recording, sent whenever it changes.

The truth comes from two places, never from disk: the recorder's session (waiting for the collector,
recording, refused because the workspace is not opted in, or stopped by the user) and the collector's own
`status` answer (paused, not recording because `.codetape.toml` cannot be used and why, what the file says
that does not apply, how many steps the open episode holds from every source, whether the last background
upload failed, how many signed episodes the outbox holds before they leave, which managed policy scopes
govern the workspace). A thread of its own asks the
collector once a second, and at once after a `sealed`, `paused` or `resumed` event; the forwarding path
never waits for it. Only editors that ask for it get it
(`"experimental": {"codetape": {"status": true}}` in their `initialize` capabilities: the extensions in
editor_extensions/ do), once they are ready for notifications, and never twice the same.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from collector.errors import CollectorError
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.wire.editor import Editor
from schemas.methods import STATUS

log = logging.getLogger(__name__)

EVERY_S = 1.0
_REFRESHING_EVENTS = frozenset({"sealed", "paused", "resumed"})


def status_params(root: Path, state: str, failure: str, collector: dict[str, Any] | None
                  ) -> dict[str, Any] | None:
    """The `codetape/status` params for one session (wire form), or None while nothing is known yet.

    `state` and `failure` are the recorder's (waiting | recording | refused | stopped, and why);
    `collector` is the collector's `status` answer, None when it could not be had.
    """
    uri = root.as_uri()
    if state == "refused":
        return _wire(uri=uri, state="not_opted_in", detail=failure)
    if state == "stopped":
        return _wire(uri=uri, state="stopped", detail=failure)
    if state == "waiting":
        if not failure:
            return None  # connecting for the first time
        return _wire(uri=uri, state="collector_down", detail=failure)
    if collector is None:
        return None
    workspaces = collector.get("workspaces") or ()
    mine = [w for w in workspaces if isinstance(w, dict) and w.get("root") == str(root)]
    if not mine:
        return None
    workspace = mine[0]
    upload_error = str(collector.get("upload_error") or "") or None
    held = max(0, int(collector.get("held") or 0))
    if workspace.get("problem"):
        return _wire(uri=uri, state="not_recording", detail=str(workspace["problem"]),
                     upload_error=upload_error, held=held)
    return _wire(uri=uri, state="paused" if workspace.get("paused") else "recording",
                 steps=int(workspace.get("steps") or 0), episode=workspace.get("episode"),
                 detail=str(workspace.get("settings_note") or ""), upload_error=upload_error, held=held,
                 scope=str(workspace.get("scope") or "") or None)


def wants_status(experimental: Any) -> bool:
    """Whether an editor's `capabilities.experimental` asks for `codetape/status`."""
    codetape = experimental.get("codetape") if isinstance(experimental, dict) else None
    return isinstance(codetape, dict) and codetape.get("status") is True


def _wire(**fields: Any) -> dict[str, Any]:
    """The params, checked against their model (loaded with the first status sent)."""
    # the message models load with the first status sent
    from schemas.common import checked
    from schemas.messages import StatusParams

    return checked(StatusParams(**fields))


class StatusReport:
    """Keeps the editor told: `start` runs it, `initialized` lets it send, `on_event` refreshes at once."""

    def __init__(self, recorder: Recorder, editor: Editor, *, every_s: float = EVERY_S) -> None:
        self.recorder = recorder
        self.editor = editor
        self.every_s = every_s
        self._ready = threading.Event()
        self._wake = threading.Event()
        self._sent: dict[Path, dict[str, Any]] = {}

    def start(self) -> None:
        threading.Thread(target=self._run, name="codetape-status", daemon=True).start()

    def initialized(self, experimental: Any) -> None:
        """The editor is initialized (its experimental capabilities say whether it wants the status)."""
        if wants_status(experimental):
            self._ready.set()
            self._wake.set()

    def on_event(self, root: Path, event: dict[str, Any]) -> None:
        """(recorder thread) A collector event: the state may have changed."""
        if event.get("event") in _REFRESHING_EVENTS:
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.every_s)
            self._wake.clear()
            if self._ready.is_set():
                try:
                    self.refresh()
                except Exception:
                    log.exception("codetape: the status report failed")

    def refresh(self) -> None:
        """Ask the collector (when a session records) and send what changed."""
        states = self.recorder.states()
        collector = None
        recording = [root for root, state, _ in states if state == "recording"]
        if recording:
            try:
                collector = self.recorder.ask("status", recording[0])
            except CollectorError as exc:
                log.debug("codetape: status unavailable: %s", exc)
        for root, state, failure in states:
            params = status_params(root, state, failure, collector if isinstance(collector, dict) else None)
            if params is not None and params != self._sent.get(root):
                self._sent[root] = params
                self.editor.notify(STATUS, params)
