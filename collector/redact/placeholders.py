"""Stable placeholders: one per distinct secret value, `«redacted:RULE:N»`, N counting values per rule.

The registry is the only place a secret value lives while an episode is sealed; it never reaches a step.
It also remembers aliases: text a secret left behind after it was edited in a document (part of a
value, or a value with a character changed), so the same text is hidden wherever else it shows up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from schemas.steps import RedactionStep, Step

PLACEHOLDER_RE = re.compile(r"«redacted:([a-z0-9][a-z0-9_.-]{0,63}):([0-9]{1,9})»")
MIN_ALIAS = 6  # shorter leftovers of a secret are not worth hiding everywhere
SHORT = 10  # known values shorter than this only match as whole tokens


def _word_char(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isalnum()


def placeholder(rule: str, n: int) -> str:
    return f"«redacted:{rule}:{n}»"


def mask(value: str, prefix: int = 0) -> str:
    """A preview that shows a public prefix (or a little of the start) and the last few characters."""
    flat = "".join(value.split())
    head = prefix if prefix else min(4, len(flat) // 5)
    tail = min(3, len(flat) // 8)
    return flat[:head] + "…" + (flat[-tail:] if tail else "")


@dataclass(eq=False)
class Secret:
    """One redacted value. `growable`: found while it was being typed in a document and not seen anywhere
    else, so a longer value typed on (the rest of a password) still belongs to it. `fixed`: not a value
    but a kind of text with one placeholder and rules of its own (a local name, namemask.py): never
    registered, never aliased, never shown again in part."""

    rule: str
    placeholder: str
    value: str
    prefix: int = 0
    growable: bool = False
    fixed: bool = False


@dataclass
class RedactionSummary:
    """What redaction did: the rules version, distinct values per rule, and a masked preview per placeholder.

    A summary passed to `redact_steps` is filled in place. Its `counts` also seed the numbering, so a
    second pass over an already redacted episode (the review's extra patterns) continues after the
    placeholders already there (`RedactionSummary.from_steps`). `occurrences`: placeholder -> how many
    times it was written into steps. `allowed`: values found but let through by the allow-list, as
    (rule, allow entry, masked preview); an exact-value entry (from code, never from a policy) shows as
    `value`. `stages`: placeholder -> the placeholder of a longer value it is the start of (a secret
    typed in steps and found at several lengths, whatever rule found each: one secret, see `stages_of`).
    `reasons`: placeholder -> why the review masked it, a clause ("it appears in excluded notes.md").
    """

    rules_version: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    masked: list[tuple[str, str]] = field(default_factory=list)
    occurrences: dict[str, int] = field(default_factory=dict)
    allowed: list[tuple[str, str, str]] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_steps(cls, steps: Iterable[Step], rules_version: str = "") -> RedactionSummary:
        """The summary an episode's `redaction` steps record (no previews: the values are gone)."""
        summary = cls(rules_version)
        for step in steps:
            if isinstance(step, RedactionStep):
                match = PLACEHOLDER_RE.fullmatch(step.placeholder)
                n = int(match.group(2)) if match else 0
                summary.counts[step.rule] = max(summary.counts.get(step.rule, 0), n)
                seen = summary.occurrences.get(step.placeholder, 0)
                summary.occurrences[step.placeholder] = seen + step.count
        return summary

    def to_dict(self) -> dict[str, Any]:
        return {"rules_version": self.rules_version, "counts": dict(self.counts),
                "masked": [list(pair) for pair in self.masked], "occurrences": dict(self.occurrences),
                "allowed": [list(item) for item in self.allowed], "stages": dict(self.stages),
                "reasons": dict(self.reasons)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RedactionSummary:
        counts = {str(k): int(v) for k, v in data.get("counts", {}).items()}
        return cls(str(data.get("rules_version", "")), counts,
                   [(str(p), str(m)) for p, m in data.get("masked", [])],
                   {str(k): int(v) for k, v in data.get("occurrences", {}).items()},
                   [(str(r), str(e), str(m)) for r, e, m in data.get("allowed", [])],
                   {str(k): str(v) for k, v in data.get("stages", {}).items()},
                   {str(k): str(v) for k, v in data.get("reasons", {}).items()})


class Registry:
    """Secret values and their placeholders for one episode."""

    def __init__(self, seed: dict[str, int] | None = None) -> None:
        self._next: dict[str, int] = {rule: n + 1 for rule, n in (seed or {}).items()}
        self.secrets: list[Secret] = []
        self._by_value: dict[str, Secret] = {}
        self._aliases: dict[str, Secret] = {}
        self._outgrown: dict[str, Secret] = {}  # shorter values of grown secrets (a re-run sees them again)
        self.allowed: dict[tuple[str, str], str] = {}  # (rule, value) -> the allow entry that let it through
        self.version = 0  # counts the changes to what `known_in` finds (a new value, a grown one, an alias)

    def allow(self, rule: str, value: str, entry: str) -> None:
        """Remember a value the allow-list let through (the summary lists it as allowed)."""
        self.allowed.setdefault((rule, value), entry)

    def get(self, value: str) -> Secret | None:
        return self._by_value.get(value) or self._aliases.get(value) or self._outgrown.get(value)

    def secret_for(self, rule: str, value: str, *, prefix: int = 0, growable: bool = False) -> Secret:
        """The value's secret, registered on first sight."""
        known = self.get(value)
        if known is not None:
            if not growable:
                known.growable = False
            return known
        n = self._next.get(rule, 1)
        self._next[rule] = n + 1
        secret = Secret(rule, placeholder(rule, n), value, prefix, growable)
        self.secrets.append(secret)
        self._by_value[value] = secret
        self.version += 1
        return secret

    def grow(self, secret: Secret, value: str) -> bool:
        """Let a growable secret stand for a longer value typed on; False when that value is taken.
        The shorter value was never shown anywhere (only its placeholder), so it is not searched for."""
        if not secret.growable or len(value) <= len(secret.value) or self.get(value) is not None:
            return False
        del self._by_value[secret.value]
        self._outgrown[secret.value] = secret
        secret.value = value
        self._by_value[value] = secret
        self.version += 1
        return True

    def alias(self, text: str, secret: Secret) -> None:
        """Remember text a secret left behind, so it is hidden wherever else it appears."""
        if len(text) >= MIN_ALIAS and not secret.fixed and self.get(text) is None and not text.isspace():
            self._aliases[text] = secret
            self.version += 1

    def known_in(self, text: str) -> Iterator[tuple[int, int, Secret]]:
        """Occurrences of known values and aliases in `text` (overlapping ones too: the caller resolves).
        Values shorter than SHORT only count as whole tokens."""
        for table in (self._by_value, self._aliases):
            for value, secret in table.items():
                at = text.find(value)
                while at != -1:
                    end = at + len(value)
                    if len(value) >= SHORT or not (_word_char(text, at - 1) or _word_char(text, end)):
                        yield at, end, secret
                    at = text.find(value, at + 1)

    def steps(self, occurrences: dict[str, int], t_ms: int) -> Iterator[RedactionStep]:
        """One `redaction` step per secret that was written into the episode."""
        for secret in self.secrets:
            count = occurrences.get(secret.placeholder, 0)
            if count:
                yield RedactionStep(t_ms=t_ms, source="redact", rule=secret.rule,
                                    placeholder=secret.placeholder, count=count)

    def fill(self, summary: RedactionSummary, occurrences: dict[str, int]) -> None:
        """Record distinct values per rule and masked previews of the secrets written."""
        for secret in self.secrets:
            count = occurrences.get(secret.placeholder, 0)
            if not count:
                continue
            summary.counts[secret.rule] = summary.counts.get(secret.rule, 0) + 1
            summary.masked.append((secret.placeholder, mask(secret.value, secret.prefix)))
            summary.occurrences[secret.placeholder] = summary.occurrences.get(secret.placeholder, 0) + count
        summary.stages.update(stages_of([secret for secret in self.secrets
                                         if occurrences.get(secret.placeholder, 0) and not secret.fixed]))
        listed: dict[tuple[str, str], list[str]] = {}  # (entry, value) -> the rules that found it
        for (rule, value), entry in self.allowed.items():
            # a value typed one key at a time was seen at every length: list only the whole one
            if any(value in other and value != other for _, other in self.allowed):
                continue
            rules = listed.setdefault((entry, value), [])
            if rule not in rules:
                rules.append(rule)
        for (entry, value), rules in listed.items():
            shown = entry if entry.startswith(("sha256:", "rule:")) else "value"
            summary.allowed.append((", ".join(rules), shown, mask(value)))


def stages_of(secrets: Iterable[Secret]) -> dict[str, str]:
    """placeholder -> the placeholder of the longest value that starts with its value, for each secret
    (of `MIN_ALIAS` characters or more) whose value is the start of another's: the same secret caught at
    several lengths while it was typed (a document's text saved, listed or shown by a command before the
    rest of it was typed), by one rule or by a looser one first (`env-secret` before `pypi-token`)."""
    ordered = sorted(secrets, key=lambda secret: secret.value)
    out: dict[str, str] = {}
    for n, secret in enumerate(ordered):
        if len(secret.value) < MIN_ALIAS:
            continue
        longest = secret
        for other in ordered[n + 1:]:
            if not other.value.startswith(secret.value):
                break  # sorted: every value that starts with this one comes right after it
            if len(other.value) > len(longest.value):
                longest = other
        if longest is not secret:
            out[secret.placeholder] = longest.placeholder
    return out
