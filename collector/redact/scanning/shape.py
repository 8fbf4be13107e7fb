"""Could a text hold a credential at all? The token around a keystroke, or any token of a short text.

A credential is one token: a run of characters up to white space, a quote, a bracket, a comma or a
semicolon (`STOPS`), at least `SHAPED` long, with a digit, an `@` (a URL's user info), letters of both
cases switching often, or `LONG` letters of one case in a row (an AWS key id may hold no digit: 1 in 28
do not). Identifiers being typed (`position_encoding`, `self.registry.get`, `DistutilsPlatformError`)
and most messages are not, so the engine and codetape's provider token rules need not look at them
(scanner.py). Every engine rule that finds a secret needs 16 characters or more, but for a few component
and password rules whose contexts codetape's own rules cover.
"""

from __future__ import annotations

import re
from itertools import pairwise

STOPS = frozenset(" \t\r\n\"'`<>()[]{},;")
SHAPED = 12  # the shortest credential-shaped token
LONG = 16  # letters and digits in a row that make a token credential-shaped whatever they are
_RUN = re.compile(r"[^\s\"'`<>()\[\]{},;]{" + str(SHAPED) + ",}")
_ALNUM = re.compile(r"[A-Za-z0-9]{" + str(LONG) + ",}")


def token_around(text: str, start: int, end: int) -> tuple[int, int]:
    """`[start, end)` widened to the token around it (up to a stop character on either side)."""
    while start > 0 and text[start - 1] not in STOPS:
        start -= 1
    while end < len(text) and text[end] not in STOPS:
        end += 1
    return start, end


def credential_shaped(text: str, start: int, end: int) -> bool:
    """The token around `text[start:end]` could be, or hold, a credential."""
    start, end = token_around(text, start, end)
    return shaped(text[start:end])


def holds_credential_shape(text: str) -> bool:
    """Some token of `text` is credential-shaped."""
    return any(shaped(match.group()) for match in _RUN.finditer(text))


def shaped(token: str) -> bool:
    """One token that could be a credential."""
    if len(token) < SHAPED:
        return False
    if "@" in token or any(ch.isdigit() for ch in token):
        return True
    if any(run.isupper() or run.islower() for run in _ALNUM.findall(token)):
        return True
    return sum(a.islower() != b.islower() for a, b in pairwise(c for c in token if c.isalpha())) >= 4
