"""A seeded corpus of realistic secrets in realistic places, for measuring redaction recall.

    python -m bench.redaction corpus --seed 1 --per-family 40

Every case is one text (a file, a command line, a log excerpt, test output, a commit message) and the
secret values in it. The contexts are in `contexts.py`, the value formats in `tokens.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from corpora.redaction_corpus.contexts import FAMILIES


@dataclass(frozen=True)
class Case:
    family: str
    context: str
    text: str
    values: tuple[str, ...]


def build(seed: int = 1, per_family: int = 40) -> list[Case]:
    """`per_family` cases for every family, cycling through its contexts."""
    r = random.Random(seed)
    cases = []
    for family, contexts in FAMILIES.items():
        for n in range(per_family):
            context = contexts[n % len(contexts)]
            text, values = context(r)
            for value in values:
                if value not in text:
                    raise AssertionError(f"{family}/{context.__name__}: a value is not in its text")
            cases.append(Case(family, context.__name__, text, tuple(values)))
    return cases
