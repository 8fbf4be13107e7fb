"""Pyflakes-like diagnostics for a half-typed Python file, cheap enough to run after every pause.

Not pyflakes (running it thousands of times per session would dominate the benchmark), but the same
messages, severities and ranges pylsp's pyflakes plugin publishes: unused imports (computed for
real), an undefined name for a word being typed, and a syntax error for the statement under the caret.
"""

from __future__ import annotations

import re
from typing import Any

from collector.text.positions import units
from tests.support.buffer import Buffer

IMPORT = re.compile(r"^(?:import ([\w., ]+)|from [\w.]+ import ([\w, ]+))$")
COMPOUND = re.compile(r"\s*(def|class|if|elif|else|for|while|with|try|except|finally|async def)\b")


def _diag(line: int, start: int, end: int, severity: int, message: str) -> dict[str, Any]:
    return {"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}},
            "severity": severity, "message": message, "source": "pyflakes"}


def _imported(line: str) -> list[tuple[str, str]]:
    """(bound name, shown name) for each name a one-line import binds."""
    match = IMPORT.match(line)
    if not match:
        return []
    out = []
    for part in (match.group(1) or match.group(2)).split(","):
        words = part.split()
        if not words:
            continue
        if len(words) == 3 and words[1] == "as":
            out.append((words[2], f"{words[0]} as {words[2]}"))
        elif match.group(1):
            out.append((words[0].split(".")[0], words[0]))
        else:
            out.append((words[0], words[0]))
    return out


def unused_imports(lines: list[str], text: str) -> list[dict[str, Any]]:
    out = []
    for number, line in enumerate(lines[:200]):
        for name, shown in _imported(line):
            if len(re.findall(rf"\b{re.escape(name)}\b", text)) < 2:
                out.append(_diag(number, 0, units(line, "utf-16"), 2, f"'{shown}' imported but unused"))
    return out


def caret_problems(buf: Buffer, text: str) -> list[dict[str, Any]]:
    """Problems of the line being typed: an unknown word, a missing colon, an open bracket."""
    line, col, line_done = buf.line, buf.col, not buf.typing
    content = buf.current
    if not content.strip():
        return []
    u16 = units(content, "utf-16")
    start = col
    while start > 0 and (content[start - 1].isalnum() or content[start - 1] == "_"):
        start -= 1
    word = content[start:col]
    out = []
    if word and not line_done and not word[0].isdigit() and text.count(word) < 2:
        out.append(_diag(line, units(content[:start], "utf-16"), units(content[:col], "utf-16"), 2,
                         f"undefined name '{word}'"))
    depth = sum(content.count(c) for c in "([{") - sum(content.count(c) for c in ")]}")
    if depth > 0 and line_done and not content.rstrip().endswith(("(", "[", "{", ",")):
        at = max(content.rfind(c) for c in "([{")
        out.append(_diag(line, at, at + 1, 1, f"'{content[at]}' was never closed"))
    elif COMPOUND.match(content) and line_done and not content.rstrip().endswith(":") and depth <= 0:
        out.append(_diag(line, u16, u16, 1, "expected ':'"))
    elif not line_done and content.rstrip().endswith(("=", "+", "-", "*", ".", ",")):
        out.append(_diag(line, units(content[:col], "utf-16"), u16, 1, "invalid syntax"))
    return out


def diagnose(buf: Buffer) -> list[dict[str, Any]]:
    """The diagnostics pylsp would publish for this buffer now (LSP JSON form)."""
    text = buf.text
    return unused_imports(buf.lines, text) + caret_problems(buf, text)
