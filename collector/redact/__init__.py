"""Secret redaction: every channel of every step, before an episode leaves its journal.

    RuleSet             built-in rules (rules.py), the developer's extra patterns and allow-list
    scan(text, rules)   Findings in one text (scanner.py)
    redact_steps(...)   a step stream with every secret replaced by its placeholder (steps.py)
    seal_transform()    what the collector passes to seal_journal (sealing.py)
    RedactionSummary    rules version, distinct values per rule, masked previews (placeholders.py)
"""

from __future__ import annotations

from collector.redact.placeholders import PLACEHOLDER_RE, RedactionSummary, mask, placeholder
from collector.redact.rule import Rule
from collector.redact.rules import RuleSet
from collector.redact.scanner import Finding, scan
from collector.redact.sealing import SealTransform, read_summary, seal_transform, summary_path
from collector.redact.steps import redact_steps

__all__ = [
    "PLACEHOLDER_RE", "Finding", "RedactionSummary", "Rule", "RuleSet", "SealTransform", "mask",
    "placeholder", "read_summary", "redact_steps", "scan", "seal_transform", "summary_path",
]
