"""The text an LSP snippet inserts (`insertTextFormat` 2, SnippetTextEdit)."""

from __future__ import annotations

import re

_TABSTOP = re.compile(r"\d+|[A-Za-z_]\w*")


def strip_snippet(text: str) -> str:
    """The text a snippet inserts before the developer fills it in (placeholders keep their default)."""
    return _snippet(text, 0, nested=False)[0]


def _snippet(text: str, i: int, *, nested: bool) -> tuple[str, int]:
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "$}\\,|":
            out.append(text[i + 1])
            i += 2
            continue
        if nested and ch == "}":
            return "".join(out), i + 1
        if ch == "$":
            braced = text.startswith("{", i + 1)
            match = _TABSTOP.match(text, i + 2 if braced else i + 1)
            if match is not None:
                j = match.end()
                if not braced:
                    i = j
                    continue
                if text.startswith(":", j):
                    inner, i = _snippet(text, j + 1, nested=True)
                    out.append(inner)
                    continue
                if text.startswith("|", j) and (close := text.find("|}", j + 1)) != -1:
                    out.append(text[j + 1 : close].split(",")[0])
                    i = close + 2
                    continue
                if text.startswith("}", j):
                    i = j + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out), i
