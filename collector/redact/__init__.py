"""Secret redaction: every channel of every step, before an episode leaves its journal.

    RuleSet             the rule set (rules.py): the maintained engine (engine.py, Kingfisher's provider
                        formats), codetape's built-in rules (builtin.py, one `Rule` each, rule.py; those
                        for credentials under names no vocabulary knows in unnamed.py, for names and
                        values as ops files and logs lay them out in layouts.py, for keys in URLs in
                        urls.py, for a name and a value as fields of one record in records.py, for
                        basic auth written out to be encoded in encoded_auth.py, for passwords a tool
                        takes as arguments in commands.py; named.py, the check of a rule that reads a
                        name), the developer's extra patterns, and the allow-list (`sha256:HEX`,
                        `rule:ID`)
    scan(text, rules)   Findings in one text (scanner.py): the engine's and the rules' (vetoed by
                        keywords.py and values.py), resolved into one set, then the base64 runs whose
                        decoded text holds a secret (encoded_auth.py); shape.py says which texts could
                        hold a credential at all
    redact_steps(...)   a step stream with every secret replaced by its placeholder (steps.py): a window
                        (window.py) over a step redactor (pipeline.py) for the free-text channels
                        (channels.py), the editor buffers (buffer.py, spans.py, lineindex.py) and the
                        paths (paths.py), each text scanned against the rules and the values already
                        known (text.py)
    RedactionSummary    rules version, distinct values per rule, masked previews, and the values the
                        allow-list let through (placeholders.py)
    NameMask            the developer's local names (workspace and home paths, login and host names,
                        read once by localnames.py) found where they count as written (namemask.py);
                        given to `redact_steps`, masked in the same pass as `.`, `~`, `«user»`, `«host»`
"""

from __future__ import annotations

from collector.redact.localnames import LocalNames
from collector.redact.namemask import NameMask
from collector.redact.placeholders import PLACEHOLDER_RE, RedactionSummary, mask, placeholder
from collector.redact.rule import Rule
from collector.redact.rules import RuleSet
from collector.redact.scanner import Finding, scan
from collector.redact.steps import redact_steps

__all__ = [
    "PLACEHOLDER_RE", "Finding", "LocalNames", "NameMask", "RedactionSummary", "Rule", "RuleSet", "mask",
    "placeholder", "redact_steps", "scan",
]
