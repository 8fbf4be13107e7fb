"""The people and owners a repository knows, masked in file text as the developer's own names are (issue
85): `«user»`, one fixed placeholder (namemask.py), so that neither a placeholder's number nor the
redaction summary's counts tell how many of them an episode names, nor which of them a seal had masked
already (the fork workflow's owner is the seal's, a plain clone's is this).

`KnownNames(patterns, kept)` finds the matches of `patterns` (plain regular expressions: each one's first
group, or its whole match without groups), longest first where they overlap, never inside a placeholder;
`kept` says on which lines of which files an identity stays. The text redactor takes it as its names
(stream/text.py), as it takes a `NameMask`.

`KeptLines(values, lines)`: an unlinkable signing masks every identity its repository records in file
text, but for the lines that a file on a remote-tracking branch holds at the same path (an `AUTHORS` file,
a pushed `@author` tag): committed text must still match the company's, and those lines tell the company
nothing it does not hold. `values` (in any case) are kept where they stand on a line that `lines[path]`
holds as it is (without its line break), and masked everywhere else, in a new file first. The text
redactor asks it through `TextRedactor.at(path)`, which the step redactor uses for every file text it
redacts (stream/pipeline.py); the patterns themselves stay plain regular expressions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from collector.redact.namemask import PLACEHOLDERS, USER
from collector.redact.placeholders import Secret
from collector.redact.scanning.scanner import Finding

_PLACEHOLDER = re.compile(r"«[^«»\n]{1,80}»")


class KnownNames:
    """What `patterns` find, masked as `«user»` (see the module's docstring)."""

    def __init__(self, patterns: Iterable[str], kept: KeptLines | None = None) -> None:
        self.patterns = tuple(compiled(pattern) for pattern in patterns)
        self.kept = kept
        self._secret = Secret(USER, PLACEHOLDERS[USER], USER, fixed=True)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def secret(self, rule: str) -> Secret | None:
        """The fixed secret of the names' rule; None for any other rule."""
        return self._secret if rule == USER else None

    def find(self, text: str) -> list[Finding]:
        """The spans of `text` to mask, in order, without overlaps (the longer first)."""
        found = []
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                start, end = match.span(1) if pattern.groups else match.span()
                if start < end:
                    found.append(Finding(USER, start, end, text[start:end]))
        if not found:
            return []
        held = [m.span() for m in _PLACEHOLDER.finditer(text)] if "«" in text else []
        accepted: list[Finding] = []
        for f in sorted(found, key=lambda f: (f.start - f.end, f.start)):
            if all(f.end <= a.start or f.start >= a.end for a in accepted) and \
                    all(f.end <= x or f.start >= y for x, y in held):
                accepted.append(f)
        return sorted(accepted, key=lambda f: f.start)


@functools.lru_cache(maxsize=16)
def compiled(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled once a process: a repository's 20,000 names take seconds to compile, and the
    signing's free-text scrub (consent/scrub.py) and its file text's masks use the same pattern."""
    return re.compile(pattern)


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
