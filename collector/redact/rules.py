"""The rule set: the built-in rules (`builtin.py`), the developer's own patterns, and an allow-list.

The developer can add patterns and allow-list values, only explicitly:
`RuleSet.default(extra_patterns=..., allow=...)` (the review passes what the developer chose).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from collector.errors import UsageError
from collector.redact.builtin import BUILTIN
from collector.redact.rule import Rule

_EXTRA_ID = "custom"


@dataclass(frozen=True)
class AnchorIndex:
    """Which rules each anchor can start: scanning first checks which anchors a text holds at all."""

    exact: dict[str, list[int]]
    folded: dict[str, list[int]]
    always: list[int]

    @classmethod
    def of(cls, rules: Sequence[Rule]) -> AnchorIndex:
        exact: dict[str, list[int]] = {}
        folded: dict[str, list[int]] = {}
        always: list[int] = []
        for n, rule in enumerate(rules):
            if rule.scope == "all" or not rule.anchors:
                always.append(n)
            for anchor in rule.anchors:
                (folded if rule.fold else exact).setdefault(anchor, []).append(n)
        return cls(exact, folded, always)


@dataclass(frozen=True)
class RuleSet:
    """Built-in rules, the developer's extra patterns (rule `custom`), and allow-listed values.

    `allow` entries are exact values never to redact, or `rule:ID` to turn a built-in rule off.
    """

    rules: tuple[Rule, ...]
    allow: frozenset[str] = field(default_factory=frozenset)
    extra_patterns: tuple[str, ...] = ()

    VERSION = "2026.11.1"

    @classmethod
    def default(cls, *, extra_patterns: Sequence[str] = (), allow: Sequence[str] = ()) -> RuleSet:
        disabled = {entry[5:] for entry in allow if entry.startswith("rule:")}
        unknown = disabled - {rule.id for rule in BUILTIN}
        if unknown:
            raise UsageError(f"cannot allow unknown redaction rule {sorted(unknown)[0]!r}; "
                             f"rules are: {', '.join(sorted({r.id for r in BUILTIN}))}")
        rules = [rule for rule in BUILTIN if rule.id not in disabled]
        rules.extend(_extra(pattern) for pattern in extra_patterns)
        values = frozenset(entry for entry in allow if not entry.startswith("rule:"))
        return cls(tuple(rules), values, tuple(extra_patterns))

    @functools.cached_property
    def index(self) -> AnchorIndex:
        return AnchorIndex.of(self.rules)

    @property
    def version(self) -> str:
        """The rules version, marked when the developer added patterns or allowed values."""
        custom = len(self.extra_patterns) + len(self.allow)
        return f"{self.VERSION}+custom{custom}" if custom else self.VERSION


def _extra(pattern: str) -> Rule:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"redaction pattern {pattern!r} is not a valid regular expression: {exc}") from None
    if compiled.fullmatch(""):
        raise UsageError(f"redaction pattern {pattern!r} matches the empty string; make it match the secret")
    return Rule(_EXTRA_ID, compiled, scope="all", priority=-1)
