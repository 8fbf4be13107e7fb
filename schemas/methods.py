"""The names of codetape's custom LSP messages, without their models (schemas/messages.py), so that the
bridge can route them before it loads the models."""

from __future__ import annotations

NOTIFICATION_METHODS: tuple[str, ...] = (
    "codetape/diagnostics", "codetape/cursor", "codetape/command", "codetape/note", "codetape/task",
    "codetape/pause", "codetape/resume", "codetape/origin", "codetape/offer",
)
"""Notifications an editor extension may send to the bridge (their params models: messages.NOTIFICATIONS)."""

REVIEW = "codetape/review"
STATUS = "codetape/status"
COMMANDS: tuple[str, ...] = ("codetape.status", "codetape.pause", "codetape.resume", "codetape.seal")
