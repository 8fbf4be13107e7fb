"""One detector: a regular expression, where it may match, what vetoes a match, which group is the secret.

A rule's named group `v` (or `v2` for an unquoted alternative, or the whole match) is the secret. Its
literal anchors must occur near a match, so a rule only runs where it can match: on the lines holding an
anchor ("line", plus `lines` more after it), from each anchor on for up to 64 KiB ("block", multi-line
secrets), or over the whole text ("all", the developer's own patterns).

With the engine, the anchors are found by it, in the same native pass as its own rules: each rule's
`prefilter`, a pattern in the engine's dialect (Rust regex: no look-around, no back-references), or, by
default, its anchors. A prefilter must match on every line where the rule can match (it may match on
more); the narrower it is, the fewer lines the rule's own regex runs on. `tests/unit/
test_redact_prefilter.py` checks that both ways of finding anchors give the same findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Check = Callable[[re.Match[str]], bool]
Scope = Literal["line", "block", "all"]
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_ENGINE_META = re.compile(r"[\\.^$|?*+()\[\]{}\-/]")  # what the engine's dialect needs escaped


@dataclass(frozen=True)
class Rule:
    """One detector. `scope`: the regex runs on the lines holding an anchor ("line"), from each anchor
    on for up to 64 KiB ("block", for multi-line secrets), or over the whole text ("all")."""

    id: str
    pattern: re.Pattern[str]
    anchors: tuple[str, ...] = ()
    fold: bool = False  # anchors are lower case and matched case-insensitively
    scope: Scope = "line"
    priority: int = 5  # among overlapping findings of equal length the lowest wins
    check: Check | None = None
    prefix: int = 0  # leading characters that are a public, fixed prefix (shown in masked previews)
    lines: int = 0  # lines after an anchor's line the regex may need (a name, then its value below)
    prefilter: str = ""  # the engine's pattern for where this rule may match (default: its anchors)
    token: bool = False  # a provider token: a match is one credential-shaped token (see scanner.py)

    def engine_pattern(self) -> str:
        """The pattern the engine looks for on this rule's behalf, as one capturing group."""
        if self.prefilter:
            return f"({self.prefilter})"
        alternatives = "|".join(_ENGINE_META.sub(r"\\\g<0>", anchor) for anchor in self.anchors)
        return f"((?i:{alternatives}))" if self.fold else f"({alternatives})"

    def value_span(self, match: re.Match[str]) -> tuple[int, int]:
        groups = self.pattern.groupindex
        if "v" in groups:
            span = match.span("v")
            return match.span("v2") if span[0] < 0 and "v2" in groups else span
        return match.span(1) if self.pattern.groups else match.span()


def compile_verbose(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.VERBOSE)
