"""Every `codetape:` error line is one printable line, whoever says it (main.py's errors, argparse's), and
quotes no URL's user or password (`collector.safe_urls`)."""

from __future__ import annotations

from collector.safe_urls import safe_text


def one_line(message: str) -> str:
    """`message` as one printable line: control characters (newlines, escapes) are shown escaped, the
    credentials of a URL in it masked."""
    message = safe_text(message)
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
