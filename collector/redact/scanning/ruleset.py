"""The rule set: the maintained engine (`engine.py`), codetape's built-in rules (`builtin.py`), the
developer's own patterns, and an allow-list.

The developer can add patterns and allow findings, only explicitly: `RuleSet.default(extra_patterns=...,
allow=...)` (the review passes what the developer chose, the seal what the workspace's `[redaction]
allow` says). An allow entry is `sha256:HEX` (a value whose SHA-256 is HEX, any rule), `rule:ID` (every
finding of rule ID, built-in or the engine's) or, from code only, the exact value.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from collector.errors import UsageError
from collector.redact.rules.builtin import BUILTIN
from collector.redact.rules.encoded import DECODED
from collector.redact.rules.rule import Rule
from collector.redact.scanning import engine as engines

_EXTRA_ID = "custom"
HASH_PREFIX = "sha256:"
RULE_PREFIX = "rule:"
ALLOW_ENTRY = re.compile(r"^(?:sha256:[0-9a-f]{64}|rule:[a-z0-9][a-z0-9_.-]{0,63})$")


Anchors = tuple[tuple[str, tuple[int, ...], tuple[tuple[str, tuple[int, ...]], ...]], ...]


class Reach(NamedTuple):
    """A rule whose match can begin `lines` lines above the value: see `RuleSet.reach`."""

    anchors: tuple[str, ...]  # one of them is on the line a match begins on (lower case when `fold`)
    fold: bool
    begins: re.Pattern[str]
    lines: int


@dataclass(frozen=True)
class AnchorIndex:
    """Which rules each anchor can start: scanning first checks which anchors a text holds at all.

    Anchors are grouped under the shortest anchor they contain (`password`, `api-key` under `pass` and
    `key`): a text without `key` is not searched for any of them."""

    exact: Anchors
    folded: Anchors  # lower case, looked for in the lower-cased text
    always: tuple[int, ...]

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
        return cls(_grouped(exact), _grouped(folded), tuple(always))


def _grouped(anchors: dict[str, list[int]]) -> Anchors:
    """Each anchor under the first shorter anchor it contains, or at the top."""
    top = [a for a in anchors if not any(b != a and b in a for b in anchors)]
    under: dict[str, list[str]] = {a: [] for a in top}
    for a in anchors:
        if a not in under:
            under[next(b for b in top if b in a)].append(a)
    return tuple((a, tuple(anchors[a]), tuple((c, tuple(anchors[c])) for c in under[a])) for a in top)


_NEVER = Rule("never", re.compile(r"(?!)"), ("\x00never\x00",))  # a rule no text holds the anchor of


def value_hash(value: str) -> str:
    """The allow entry for one value: `sha256:` and the SHA-256 of its UTF-8 bytes."""
    return HASH_PREFIX + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class RuleSet:
    """Codetape's rules, the developer's extra patterns (rule `custom`), the engine (when `engine`), and
    the allow-list (`allow`: exact values, `sha256:HEX` and `rule:ID` entries)."""

    rules: tuple[Rule, ...]
    allow: frozenset[str] = field(default_factory=frozenset)
    extra_patterns: tuple[str, ...] = ()
    engine: bool = False

    VERSION = "2026.12.3"

    @classmethod
    def default(cls, *, extra_patterns: Sequence[str] = (), allow: Sequence[str] = (),
                engine: bool = True) -> RuleSet:
        rules = list(BUILTIN)
        rules.extend(_extra(pattern) for pattern in extra_patterns)
        ruleset = cls(tuple(rules), frozenset(allow), tuple(extra_patterns), engine)
        ruleset.check_allow()
        return ruleset

    def check_allow(self) -> None:
        """UsageError naming the first `rule:` entry that names no rule."""
        named = {entry[len(RULE_PREFIX):] for entry in self.allow if entry.startswith(RULE_PREFIX)}
        own = {rule.id for rule in self.rules} | {DECODED}
        unknown = named - own
        if unknown and self.engine:
            unknown -= self.scanner.rules
        if unknown:
            known = own | (self.scanner.rules if self.engine else frozenset())
            raise UsageError(f"cannot allow unknown redaction rule {sorted(unknown)[0]!r}; "
                             f"rules are: {', '.join(sorted(known))}")

    @functools.cached_property
    def index(self) -> AnchorIndex:
        return AnchorIndex.of(self.rules)

    @functools.cached_property
    def reach(self) -> tuple[Reach, ...]:
        """Where a match may begin more than one line above the value it finds (`Rule.lines` > 1: a
        Terraform `variable` block, a `.netrc` `machine` entry): the rule's anchors, a pattern for the line
        it begins on (its prefilter, else its anchors) and how many lines down from there it reaches. The
        scan around an editor's keystroke covers the line above it; these say when to look further up."""
        found: dict[Reach, None] = {}
        for rule in self.rules:
            if rule.lines > 1 and rule.anchors:
                source = rule.prefilter or "|".join(map(re.escape, sorted(rule.anchors)))
                flags = re.IGNORECASE if rule.fold and not rule.prefilter else 0
                found[Reach(rule.anchors, rule.fold, re.compile(source, flags), rule.lines)] = None
        return tuple(found)

    @functools.cached_property
    def context_index(self) -> AnchorIndex:
        """The anchors of every rule but the provider tokens' (`Rule.token`), numbered as in `rules`."""
        return AnchorIndex.of([rule if not rule.token else _NEVER for rule in self.rules])

    @functools.cached_property
    def prefilters(self) -> tuple[str, ...]:
        """Rule N's pattern for the engine (`Rule.engine_pattern`), "" for a rule that runs everywhere. A rule
        with a prefilter and no anchors runs where the engine finds its prefilter, and over the whole of a
        text too short for the engine's pass (`scanner.SIDE_SCAN`)."""
        patterns = [rule.engine_pattern() if rule.scope != "all" and (rule.anchors or rule.prefilter) else ""
                    for rule in self.rules]
        while patterns and not patterns[-1]:  # the developer's patterns: the same database for every set
            patterns.pop()
        return tuple(patterns)

    @functools.cached_property
    def scanner(self) -> engines.Engine:
        """The engine with this rule set's prefilters (compiled on first use, once per process)."""
        return engines.load(self.prefilters)

    @functools.cached_property
    def _prefixes(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Rule id -> (a fixed prefix its values begin with, how many characters of them are public)."""
        found: dict[str, list[tuple[str, int]]] = {}
        for rule in self.rules:
            if rule.prefix and not rule.fold:
                found.setdefault(rule.id, []).extend((anchor, rule.prefix) for anchor in rule.anchors)
        for rule_id, prefixes in engines.PREFIXES.items():
            found.setdefault(rule_id, []).extend((prefix, len(prefix)) for prefix in prefixes)
        return {rule_id: tuple(pairs) for rule_id, pairs in found.items()}

    def prefix(self, rule: str, value: str) -> int:
        """How many leading characters of a value rule `rule` found are a public, fixed prefix (`ghp_`,
        `AKIA`): shown in masked previews. 0 when the value begins with none of the rule's prefixes."""
        return next((n for start, n in self._prefixes.get(rule, ()) if value.startswith(start)), 0)

    @functools.cached_property
    def _allowed(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """(exact values, hashes, rule ids) of the allow-list."""
        hashes = frozenset(entry for entry in self.allow if entry.startswith(HASH_PREFIX))
        rules = frozenset(entry[len(RULE_PREFIX):] for entry in self.allow if entry.startswith(RULE_PREFIX))
        rules |= {engines.NAMED[rule] for rule in rules if rule in engines.NAMED}  # found under codetape's id
        named = {entry for entry in self.allow if entry.startswith(RULE_PREFIX)}
        return self.allow - hashes - named, hashes, rules

    def allowed(self, rule: str, value: str) -> str | None:
        """The allow entry that lets this finding through, or None (the value is redacted)."""
        if not self.allow:
            return None
        values, hashes, rules = self._allowed
        if rules and rule in rules:
            return RULE_PREFIX + rule
        if value in values:
            return value
        if hashes:
            digest = value_hash(value)
            if digest in hashes:
                return digest
        return None

    @property
    def version(self) -> str:
        """The rules and engine versions, marked when the developer added patterns or allowed values."""
        version = self.VERSION + ("+" + engines.version() if self.engine else "")  # not waiting for a load
        custom = len(self.extra_patterns) + len(self.allow)
        return f"{version}+custom{custom}" if custom else version


def _extra(pattern: str) -> Rule:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"redaction pattern {pattern!r} is not a valid regular expression: {exc}") from None
    if compiled.fullmatch(""):
        raise UsageError(f"redaction pattern {pattern!r} matches the empty string; make it match the secret")
    return Rule(_EXTRA_ID, compiled, scope="all", priority=-1)

