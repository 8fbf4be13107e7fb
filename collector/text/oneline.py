"""Text shown to a person on one line (an error line, a step's description, a table cell): whatever it
holds, it cannot break the line, move the cursor or color the terminal."""

from __future__ import annotations


def one_line(text: str, limit: int | None = None) -> str:
    """`text` as one printable line: control characters (line breaks, escapes) shown escaped, cut to
    `limit` characters with `…` when given."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
