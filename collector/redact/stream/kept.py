"""Values kept on some lines of some files: the one exception span masking makes by path (issue 85).

An unlinkable signing masks every identity its repository records in file text, but for the lines that a
file on a remote-tracking branch holds at the same path (an `AUTHORS` file, a pushed `@author` tag):
committed text must still match the company's, and those lines tell the company nothing it does not hold.
`KeptLines(values, lines)` says so: `values` (in any case) are kept where they stand on a line that
`lines[path]` holds as it is (without its line break), and found as secrets everywhere else, in a new file
first. The text redactor asks it through `TextRedactor.at(path)` (text.py), which the step redactor uses
for every file text it redacts (pipeline.py); the patterns themselves stay plain regular expressions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class KeptLines:
    """`values` kept on the lines `lines` holds for each path (see the module's docstring)."""

    def __init__(self, values: Iterable[str], lines: Mapping[str, Iterable[str]]) -> None:
        self.values = frozenset(value.lower() for value in values)
        self.lines = {path: frozenset(held) for path, held in lines.items()}

    def at(self, path: str) -> frozenset[str] | None:
        """The lines kept at `path` (None: none)."""
        return self.lines.get(path)

    def keeps(self, lines: frozenset[str], text: str, start: int, end: int) -> bool:
        """Whether `text[start:end]` is one of the values, on a line of `text` that `lines` holds."""
        if text[start:end].lower() not in self.values:
            return False
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", end)
        line = text[first : len(text) if last == -1 else last]
        return line.removesuffix("\r") in lines
