"""The HELD-OUT corpus: credentials of about 250 provider formats that no redaction rule was tuned on.

    python -m bench.redaction heldout

`corpora/redaction_corpus/` is the TUNED corpus: it was written alongside codetape's own rules and they
reach 100 % on it by construction. This one was written afterwards, from the providers' published
descriptions of their keys (prefix, alphabet, length: `formats.py`), independently of codetape's rules
and of the rule sets and test examples of the engines it is compared with; each value is placed on the
six kinds of line credentials are written on (`contexts.py`). Do not tune rules on its misses: it only
measures anything while nothing was fitted to it.

Every case is one text and the one credential in it (`Case.values`); `Case.family` is the provider,
`Case.context` the kind of line. `paraphrased` words the comment and request lines differently
(`paraphrases.py`), to check that rules written after seeing this corpus's misses were not fitted to its
exact wording.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from corpora.heldout_corpus.contexts import CONTEXTS, value_of
from corpora.heldout_corpus.formats import FORMATS, Format
from corpora.heldout_corpus.paraphrases import PARAPHRASES
from corpora.redaction_corpus import Case

Place = Callable[[Format, str, random.Random], str]


def build(seed: int = 1) -> list[Case]:
    """One case per provider format and kind of line, each with a fresh value."""
    return _cases(f"heldout-{seed}", CONTEXTS)


def paraphrased(seed: int = 1) -> list[Case]:
    """One case per provider format in other wordings of a comment and of a request (`paraphrases.py`)."""
    return _cases(f"paraphrased-{seed}", PARAPHRASES)


def _cases(seed: str, places: Mapping[str, Place]) -> list[Case]:
    r = random.Random(seed)
    cases = []
    for fmt in FORMATS:
        for context, place in places.items():
            value, shown = value_of(fmt, r)
            text = place(fmt, shown, r)
            if value not in text:
                raise AssertionError(f"{fmt.provider}/{context}: the value is not in its text")
            cases.append(Case(fmt.provider, context, text, (value,)))
    return cases


__all__ = ["Case", "build", "paraphrased"]
