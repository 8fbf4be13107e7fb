"""Errors inside the bridge. None of them reaches the editor: each becomes a log line and a `gap` or a skip.

    CodetapeError                 (collector/errors.py)
    └── BridgeError               the bridge cannot start (bad arguments, the server command fails)
        └── MalformedMessage      an LSP message the bridge cannot read, or params it cannot translate
            └── OutOfRange        a position outside the tracked document
"""

from __future__ import annotations

from collector.errors import CodetapeError


class BridgeError(CodetapeError):
    pass


class MalformedMessage(BridgeError):
    pass


class OutOfRange(MalformedMessage):
    pass
