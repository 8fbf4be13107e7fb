"""Position arithmetic in the three LSP position encodings, with LSP's line breaks (CRLF, CR, LF)."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemas.common import PositionEncoding


LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTENT = re.compile(r"[^\r\n]*+")  # a line up to its terminator
_CODECS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2)}  # codec, bytes per code unit


# the line breaks of str.splitlines that are not LSP's
_NOT_LSP_BREAKS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def split_lines(text: str) -> list[str]:
    """Lines with their terminators; the last element has none (it may be empty)."""
    if "\n" not in text and "\r" not in text:  # one line (typing): no search
        return [text]
    if not any(other in text for other in _NOT_LSP_BREAKS):  # (a file's text: str.splitlines, 7x faster)
        lines = text.splitlines(keepends=True)  # breaks at CRLF, CR and LF alone, as LINE_BREAK does
        if text[-1] in "\r\n":
            lines.append("")
        return lines
    lines = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    lines.append(text[start:])
    return lines


def content_of(line: str) -> str:
    """A line without its terminator."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def units(text: str, encoding: PositionEncoding) -> int:
    """Length of `text` in code units of the encoding (at C speed: a line may be megabytes long)."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    codec, width = _CODECS[encoding]
    return len(text.encode(codec, "surrogatepass")) // width


def _unit_width(ch: str, encoding: PositionEncoding) -> int:
    cp = ord(ch)
    if encoding == "utf-16":
        return 2 if cp > 0xFFFF else 1
    if cp < 0x80:
        return 1
    if cp < 0x800:
        return 2
    return 3 if cp < 0x10000 else 4


def to_index(line: str, character: int, encoding: PositionEncoding) -> int:
    """Python index into `line` (no terminator) for an LSP character offset, clamped to the line.

    An offset inside a multi-unit character rounds down to the start of that character. The line is
    encoded once and the units before the offset decoded back, at C speed; only a utf-16 line holding
    lone surrogates (which the decoder would pair up) is walked character by character.
    """
    if encoding == "utf-32" or line.isascii():
        return min(character, len(line))
    codec, width = _CODECS[encoding]
    try:
        data = line.encode(codec)
    except UnicodeEncodeError:  # lone surrogates
        if encoding == "utf-16":
            return _walk(line, character, encoding)
        data = line.encode(codec, "surrogatepass")
    if character * width >= len(data):
        return len(line)
    decoder = codecs.getincrementaldecoder(codec)("surrogatepass")
    return len(decoder.decode(data[: character * width], final=False))  # a cut character stays out


def _walk(line: str, character: int, encoding: PositionEncoding) -> int:
    seen = 0
    for index, ch in enumerate(line):
        width = _unit_width(ch, encoding)
        if seen + width > character:
            return index
        seen += width
    return len(line)


def caret_after(line: int, character: int, text: str, encoding: PositionEncoding) -> tuple[int, int]:
    """Where the caret sits after inserting `text` at (line, character)."""
    pieces = LINE_BREAK.split(text)
    if len(pieces) == 1:
        return line, character + units(text, encoding)
    return line + len(pieces) - 1, units(pieces[-1], encoding)


def line_start(text: str, line: int) -> int | None:
    """Where LSP line `line` of `text` starts (None when the text has fewer lines), found at C speed
    without splitting the text: a caret may sit a million lines down a file."""
    if line == 0:
        return 0
    if line > text.count("\n") + text.count("\r"):
        return None
    found = re.match(rf"(?:[^\r\n]*+(?:\r\n?|\n)){{{line}}}+", text)  # possessive: nothing to backtrack
    return None if found is None else found.end()


def line_end(text: str, start: int) -> int:
    """Where the line starting at `start` ends, before its terminator."""
    return _CONTENT.match(text, start).end()  # type: ignore[union-attr]  # (matches the empty string)
