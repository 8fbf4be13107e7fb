"""Every `codetape:` error line is one printable line, whoever says it (main.py's errors, argparse's)."""

from __future__ import annotations


def one_line(message: str) -> str:
    """`message` as one printable line: control characters (newlines, escapes) are shown escaped."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
