"""The review prompt: when the collector seals an episode of this editor's workspace, ask the developer.

"codetape: episode ready for review (N steps, M files)" with Review / Later / Discard. Review sends the
editor a `codetape/review` notification naming the episode (extensions run their own configured codetape
with `review EPISODE`; the message carries no command) and a message naming the command; Discard asks
the collector to discard the episode; Later does nothing.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.wire.editor import Editor
from schemas.methods import REVIEW

log = logging.getLogger(__name__)

ACTIONS = ("Review", "Later", "Discard")
INFO = 3


def prompt_text(event: dict[str, Any]) -> str:
    steps, files = event.get("steps", 0), event.get("files", 0)
    return f"codetape: episode ready for review ({steps} steps, {files} files)"


def review_params(episode: str) -> dict[str, Any]:
    from schemas.common import checked
    from schemas.messages import ReviewParams  # only once there is something to review

    return checked(ReviewParams(episode=episode))


class ReviewPrompt:
    def __init__(self, recorder: Recorder, editor: Editor) -> None:
        self.recorder = recorder
        self.editor = editor

    def on_event(self, root: Path, event: dict[str, Any]) -> None:
        """(recorder thread) A collector event for one of this editor's workspaces."""
        if event.get("event") != "sealed" or not event.get("episode") or not event.get("steps"):
            return
        episode = str(event["episode"])
        self.editor.ask(prompt_text(event), ACTIONS, lambda choice: self.answered(root, episode, choice))

    def answered(self, root: Path, episode: str, choice: str | None) -> None:
        """The developer's answer (None: dismissed, like Later)."""
        log.info("codetape: review prompt for %s answered %r", episode, choice)
        if choice == "Review":
            self.editor.notify(REVIEW, review_params(episode))
            self.editor.notify("window/showMessage", {
                "type": INFO, "message": f"codetape: run `codetape review {episode}` to review the episode"})
        elif choice == "Discard":
            future = self.recorder.request("discard", root, episode=episode)
            future.add_done_callback(lambda f: _discarded(episode, f))


def _discarded(episode: str, future: Future[Any]) -> None:
    if (exc := future.exception()) is not None:
        log.error("codetape: discard %s failed: %s", episode, exc)
    else:
        log.info("codetape: discarded episode %s", episode)
