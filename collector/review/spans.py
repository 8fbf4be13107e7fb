"""Masking more text in review: the reviewer's patterns, and the paths of the files they excluded.

Both go through the redaction pipeline (`redact_steps`), so a masked span gets a stable placeholder
everywhere it appears (edits typed one key at a time, saves, snapshots, commands, commit messages...)
and the episode still replays. A reviewer's pattern masks its whole match, or its first group when it
has groups; the N-th pattern's rule is `custom-N`, so what each one found can be counted. An excluded
path is masked wherever it is written as a path (not as part of a longer name) under the rule
`excluded-path`; paths shorter than 4 characters are left alone, since as words they would mask
ordinary text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from collector.redact import RedactionSummary, Rule, RuleSet, redact_steps
from schemas.common import PositionEncoding
from schemas.steps import Step

PATH_RULE = "excluded-path"
CUSTOM_RULE = "custom"
MIN_PATH = 4


def review_rules(patterns: Iterable[str], paths: Iterable[str]) -> RuleSet:
    """Only the review's rules: the reviewer's patterns and one rule for the excluded paths."""
    patterns = tuple(patterns)
    extra = [rule for rule in RuleSet.default(extra_patterns=patterns).rules if rule.id == CUSTOM_RULE]
    rules = [replace(rule, id=pattern_rule(n)) for n, rule in enumerate(extra, start=1)]
    regex = path_regex(paths)
    if regex is not None:
        rules.append(Rule(PATH_RULE, regex, scope="all", priority=-1))
    return RuleSet(tuple(rules), frozenset(), patterns)


def pattern_rule(number: int) -> str:
    """The rule id of the reviewer's `number`-th pattern (from 1)."""
    return f"{CUSTOM_RULE}-{number}"


def path_regex(paths: Iterable[str]) -> re.Pattern[str] | None:
    """Any of `paths` written as a path: not inside a longer name, `./` in front allowed."""
    names = sorted({path for path in paths if len(path) >= MIN_PATH}, key=lambda path: (-len(path), path))
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?:(?<=\./)|(?<![\w.\-/]))(?:{alternatives})(?![\w\-/])")


def mask_spans(steps: Iterable[Step], encoding: PositionEncoding, patterns: Iterable[str],
               paths: Iterable[str], summary: RedactionSummary) -> Iterator[Step]:
    """`steps` with the review's spans masked; `summary` (seeded with the episode's counts, so numbering
    goes on after its placeholders) gets the new values' counts and masked previews."""
    rules = review_rules(patterns, paths)
    if not rules.rules:
        yield from steps
        return
    version = summary.rules_version
    yield from redact_steps(steps, encoding, rules, summary)
    summary.rules_version = version
