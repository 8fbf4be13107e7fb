"""Secret redaction: every channel of every step, before an episode leaves its journal.

Three stages, one subpackage each (pyproject.toml's import-linter contract keeps them layered):

    rules/      codetape's own rules (`Rule`, rules/rule.py; `BUILTIN`, rules/builtin.py): the provider
                formats the engine does not run, and the context rules, by family (rules/__init__.py)
    scanning/   `RuleSet` (scanning/ruleset.py): the maintained engine (scanning/engine.py, Kingfisher's
                provider formats, its findings named by codetape's ids where codetape had a rule for the
                format), codetape's rules, the developer's extra patterns and the allow-list
                (`sha256:HEX`, `rule:ID`); `scan(text, rules)` (scanning/scanner.py): the engine's and the
                rules' findings in one text, resolved into one set, then the base64 runs whose decoded
                text holds a secret; scanning/shape.py says which texts could hold a credential at all
    stream/     `redact_steps(...)`: a step stream with every secret replaced by its placeholder, a window
                over a step redactor for the free-text channels, the editor buffers (kept true and
                redacted keystroke by keystroke) and the paths, each text scanned against the rules and
                the values already known

and what they share:

    RedactionSummary    rules version, distinct values per rule, masked previews, and the values the
                        allow-list let through (placeholders.py)
    NameMask            the developer's local names (workspace and home paths, login and host names,
                        read once by localnames.py) found where they count as written (namemask.py);
                        given to `redact_steps`, masked in the same pass as `.`, `~`, `«user»`, `«host»`
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collector.redact.localnames import LocalNames
    from collector.redact.namemask import NameMask
    from collector.redact.placeholders import PLACEHOLDER_RE, RedactionSummary, mask, placeholder
    from collector.redact.rules.rule import Rule
    from collector.redact.scanning.ruleset import RuleSet
    from collector.redact.scanning.scanner import Finding, scan
    from collector.redact.stream.steps import redact_steps

# Each name is imported from its module when first asked for: importing one module of the package (the
# collector's start needs localnames.py alone) does not load the rules and the engine (about 80 ms).
_HOMES = {
    "LocalNames": "localnames", "NameMask": "namemask", "PLACEHOLDER_RE": "placeholders",
    "RedactionSummary": "placeholders", "mask": "placeholders", "placeholder": "placeholders",
    "Rule": "rules.rule", "RuleSet": "scanning.ruleset", "Finding": "scanning.scanner",
    "scan": "scanning.scanner", "redact_steps": "stream.steps",
}

__all__ = [
    "PLACEHOLDER_RE", "Finding", "LocalNames", "NameMask", "RedactionSummary", "Rule", "RuleSet", "mask",
    "placeholder", "redact_steps", "scan",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
