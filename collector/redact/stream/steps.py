"""`redact_steps`: a stream of steps in, the same stream with every secret replaced out.

A pipeline of the pieces: the window holds recent steps, the step redactor handles each channel and the
editor buffers, the registry keeps one placeholder per value. At the end one `redaction` step per secret
written says which rule found it, its placeholder and how many times it was written (never the value).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from collector.redact.namemask import NameMask
from collector.redact.placeholders import RedactionSummary, Registry
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.stream.pipeline import StepRedactor
from collector.redact.stream.text import TextRedactor
from collector.redact.stream.window import WINDOW, Window
from schemas.common import PositionEncoding
from schemas.steps import Step


def redact_steps(steps: Iterable[Step], encoding: PositionEncoding, rules: RuleSet,
                 summary: RedactionSummary | None = None, *, window: int = WINDOW,
                 names: NameMask | None = None, redactor: TextRedactor | None = None,
                 written: Counter[str] | None = None, said_names: NameMask | None = None) -> Iterator[Step]:
    """The steps with every secret replaced by its placeholder, then one `redaction` step per secret.

    `summary`, when given, is filled in as the last step is produced (its counts also seed the numbering:
    see `RedactionSummary`). `names`, when given, also masks the developer's local names (workspace and
    home paths, login and host names) in the same pass, wherever a secret would be found. `redactor`: one
    already in use for the same episode (its rules are `rules`, its names `names`), so what it masked
    elsewhere (the header, the paths) keeps its placeholders here; `written` counts the placeholders it
    wrote there, read once the last step went by, so their redaction steps count them. `said_names`: the
    names to mask in what steps say rather than hold as files (commands, messages, agent text), when they
    are more than `names` (pipeline.py)."""
    if redactor is None:
        redactor = TextRedactor(rules, Registry(summary.counts if summary is not None else None), names)
    registry = redactor.registry
    said = TextRedactor(rules, registry, said_names) if said_names is not None else None
    held = Window(StepRedactor(encoding, redactor, said), registry, size=window)
    for step in steps:
        yield from held.push(step)
    yield from held.close()
    if written:
        held.occurrences.update(written)
    yield from registry.steps(held.occurrences, held.last_t)
    if summary is not None:
        summary.rules_version = rules.version
        registry.fill(summary, held.occurrences)
