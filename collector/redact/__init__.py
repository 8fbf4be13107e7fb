"""Secret redaction: every channel of every step, before an episode leaves its journal.

    RuleSet             the rule set (rules.py): built-in rules (builtin.py, one `Rule` each, rule.py),
                        the developer's extra patterns and allow-list
    scan(text, rules)   Findings in one text (scanner.py), vetoed by keywords.py and values.py
    redact_steps(...)   a step stream with every secret replaced by its placeholder (steps.py): a window
                        (window.py) over a step redactor (pipeline.py) for the free-text channels
                        (channels.py) and the editor buffers (buffer.py, spans.py, lineindex.py)
    seal_transform()    what the collector passes to seal_journal (sealing.py), summary beside the episode
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
