"""The check of a rule that reads a secret's name: the name says a secret (`keywords.py`), and the value
after it passes the test that name asks for (`values.py`): a password can be short, a token must look
machine-made, a bare `key` must look random."""

from __future__ import annotations

import re
from collections.abc import Callable

from collector.redact import keywords
from collector.redact.rule import Check
from collector.redact.values import password_like, plausible, token_like


def value(match: re.Match[str]) -> str:
    """The value: group `v`, or `v2` for rules with an unquoted alternative."""
    found = match.group("v")
    return found if found is not None else match.group("v2")


def named(kind: Callable[[str], bool] | None = None) -> Check:
    """The match's `k` group names a secret, and its value passes the check its name asks for (`kind`,
    when given, instead)."""
    def check(match: re.Match[str]) -> bool:
        level = keywords.strength(match.group("k"))
        if level is None:
            return False
        found = value(match)
        if kind is not None:
            return kind(found)
        return passes(level, found, quoted=bool(match.groupdict().get("q")))
    return check


def passes(level: keywords.Strength, found: str, *, quoted: bool) -> bool:
    """The value passes the test a name of this strength asks for."""
    if level == "password":
        return password_like(found, quoted=quoted)
    if level == "token":
        return token_like(found, quoted=quoted)
    random = plausible(found, min_len=16, min_entropy=3.5, min_classes=2, quoted=quoted)
    return random and any(c.isdigit() for c in found)
