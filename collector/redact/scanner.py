"""Scanning a text: every rule runs only around its anchors, then overlapping findings are resolved.

A rule's anchors are found with `str.find` (lower-cased text for case-insensitive anchors); its regex
then runs on the lines holding them (or, for multi-line rules, from the anchor on). Overlapping findings
are resolved longest first, then by rule priority, so `password = "ghp_..."` is a GitHub token and
`postgres://u:p@h` yields only the password.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from collector.redact.placeholders import PLACEHOLDER_RE
from collector.redact.rule import Rule
from collector.redact.rules import RuleSet
from collector.redact.values import PLACEHOLDER_MARK

LINE_CAP = 4096  # characters either side of an anchor on a very long line
BLOCK = 70_000  # how far a multi-line rule may reach from its anchor


@dataclass(frozen=True)
class Finding:
    """A secret value found in a text: `text[start:end] == value`."""

    rule: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class _Candidate:
    finding: Finding
    priority: int


def scan(text: str, rules: RuleSet) -> list[Finding]:
    """Every secret `rules` find in `text`, in order, without overlaps or allow-listed values."""
    if not text:
        return []
    index = rules.index
    lowered = text.lower()
    candidates: list[_Candidate] = []
    due: set[int] = set(index.always)
    for anchors, haystack in ((index.exact, text), (index.folded, lowered)):
        for anchor, numbers in anchors.items():
            if anchor in haystack:
                due.update(numbers)
    for number in sorted(due):
        rule = rules.rules[number]
        candidates.extend(_run(rule, text, _windows(rule, text, lowered if rule.fold else text)))
    if not candidates:
        return []
    found = resolve(candidates)
    if rules.allow:
        found = [f for f in found if f.value not in rules.allow]
    if PLACEHOLDER_MARK in text:
        found = [f for f in found if not _touches_placeholder(text, f)]
    return found


def resolve(candidates: Iterable[_Candidate]) -> list[Finding]:
    """Longest first, then the rule's priority; a candidate overlapping an accepted one is dropped."""
    accepted: list[Finding] = []
    ordered = sorted(candidates, key=lambda c: (c.finding.start - c.finding.end, c.priority, c.finding.start))
    for cand in ordered:
        f = cand.finding
        if all(f.end <= a.start or f.start >= a.end for a in accepted):
            accepted.append(f)
    accepted.sort(key=lambda f: f.start)
    return accepted


def candidate(finding: Finding, priority: int) -> _Candidate:
    return _Candidate(finding, priority)


def _windows(rule: Rule, text: str, haystack: str) -> list[tuple[int, int]]:
    """Merged spans of `text` where the rule's regex is worth running."""
    if rule.scope == "all" or not rule.anchors:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    for anchor in rule.anchors:
        at = haystack.find(anchor)
        while at != -1:
            span = _around(text, at, len(anchor), rule.scope, rule.lines)
            spans.append(span)
            # the next occurrence past this window (a window covers every anchor inside it)
            at = haystack.find(anchor, max(span[1], at + 1)) if rule.scope == "line" else \
                haystack.find(anchor, at + 1)
    if len(spans) <= 1:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def _around(text: str, at: int, width: int, scope: str, lines: int = 0) -> tuple[int, int]:
    line_start = text.rfind("\n", max(0, at - LINE_CAP), at) + 1 or max(0, at - LINE_CAP)
    if at - LINE_CAP > 0 and line_start == 0:
        line_start = at - LINE_CAP
    if scope == "block":
        return line_start, min(len(text), at + BLOCK)
    cap = at + width + LINE_CAP
    line_end = text.find("\n", at + width, cap)
    for _ in range(lines):
        if line_end == -1:
            break
        line_end = text.find("\n", line_end + 1, cap)
    return line_start, (min(len(text), cap) if line_end == -1 else line_end)


def _run(rule: Rule, text: str, windows: list[tuple[int, int]]) -> Iterator[_Candidate]:
    for start, end in windows:
        for match in rule.pattern.finditer(text, start, end):
            if rule.check is not None and not rule.check(match):
                continue
            v_start, v_end = rule.value_span(match)
            if v_end > v_start:
                yield _Candidate(Finding(rule.id, v_start, v_end, text[v_start:v_end]), rule.priority)


def _touches_placeholder(text: str, finding: Finding) -> bool:
    """A finding that overlaps a placeholder already in the text (redacted before) is not a new secret."""
    lo = text.rfind(PLACEHOLDER_MARK, 0, finding.start)
    for match in PLACEHOLDER_RE.finditer(text, max(0, lo), finding.end):
        if match.start() < finding.end and match.end() > finding.start:
            return True
    return False
