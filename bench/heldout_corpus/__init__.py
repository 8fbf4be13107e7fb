"""The HELD-OUT corpus: credentials of about 250 provider formats that no redaction rule was tuned on.

    python -m bench.redaction heldout

`bench/redaction_corpus/` is the TUNED corpus: it was written alongside codetape's own rules and they
reach 100 % on it by construction. This one was written afterwards, from the providers' published
descriptions of their keys (prefix, alphabet, length: `formats.py`), independently of codetape's rules
and of the rule sets and test examples of the engines it is compared with; each value is placed on the
six kinds of line credentials are written on (`contexts.py`). Do not tune rules on its misses: it only
measures anything while nothing was fitted to it.

Every case is one text and the one credential in it (`Case.values`); `Case.family` is the provider,
`Case.context` the kind of line.
"""

from __future__ import annotations

import random

from bench.heldout_corpus.contexts import CONTEXTS, value_of
from bench.heldout_corpus.formats import FORMATS
from bench.redaction_corpus import Case


def build(seed: int = 1) -> list[Case]:
    """One case per provider format and kind of line, each with a fresh value."""
    r = random.Random(f"heldout-{seed}")
    cases = []
    for fmt in FORMATS:
        for context, place in CONTEXTS.items():
            value, shown = value_of(fmt, r)
            text = place(fmt, shown, r)
            if value not in text:
                raise AssertionError(f"{fmt.provider}/{context}: the value is not in its text")
            cases.append(Case(fmt.provider, context, text, (value,)))
    return cases


__all__ = ["Case", "build"]
