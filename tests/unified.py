"""Applying a unified diff's hunks the way patch does, checking every context and removed line: how the
tests know a diff (exact or coarse) really turns the old text into the new one, without git."""

from __future__ import annotations

import re

NO_NEWLINE = "\\ No newline at end of file\n"
HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")


def applied(before: str, hunks: str) -> str:
    """`before` with `hunks` (a diff without its ---/+++ lines) applied."""
    old = before.split("\n")
    old = [line + "\n" for line in old[:-1]] + ([old[-1]] if old[-1] else [])
    lines = hunks.replace(NO_NEWLINE, "\0\n").splitlines(keepends=True)
    out: list[str] = []
    at = 0
    i = 0
    while i < len(lines):
        match = HUNK.fullmatch(lines[i])
        assert match, lines[i]
        start, length = int(match[1]), int(match[2] or 1)
        begin = start - 1 if length else start
        out += old[at:begin]
        at = begin
        i += 1
        while i < len(lines) and not lines[i].startswith("@@"):
            line = lines[i]
            text = line[1:]
            if i + 1 < len(lines) and lines[i + 1] == "\0\n":  # no newline at the end
                text = text[:-1]
                i += 1
            if line[0] in " -":
                assert old[at] == text, (at, old[at], text)
                at += 1
            if line[0] in " +":
                out.append(text)
            i += 1
    return "".join(out + old[at:])
