"""Is a run of letters language (words, identifiers) or drawn at random?

Two letters in a row of English or of code (`th`, `er`, `in`, `st`) are a few of the 676 possible: the
`COMMON` bigrams below make up 90 % of the bigrams in the words and identifiers of Python's standard
library. In a random string about one bigram in four is one of them; in words, identifiers and names
run together (`includesystemsitepackages`, `DistutilsPlatformError`) four in five are. A value with few
common bigrams is `gibberish`: a random token even without a digit (`olGVPvcfqMIKOCdishux`).
"""

from __future__ import annotations

from itertools import pairwise

_COMMON = """
    ab ac ad ag ai al am an ap ar as at au ba be bj bl bu by ca ce ch ci ck cl co cr ct da de di do ds du
    ea ec ed ee ef el em en ep er es et ex ey fa ff fi fo fr fu ge gs ha he hi ho ic id ie if ig il im in io
    ip ir is it iv iz ke la ld le lf li ll lo ls lt lu ly ma me mi mo mp na nc nd ne nf ng ni no ns nt nu ob
    oc od of ol om on op or os ot ou ow pa pe pl po pp pr pt qu ra re rg ri rm rn ro rr rs rt ru ry sa se sh
    si so sp ss st su sy ta te th ti to tr ts tt tu ty ue ul um un up ur us ut va ve wa wh wi wr xc xt yp yt
    ze"""
COMMON = frozenset(_COMMON.split())
MIN_BIGRAMS = 7  # fewer letter pairs than this say too little either way
RANDOM_SHARE = 0.5  # random strings: 0.1-0.4 of their bigrams common; words and identifiers: 0.8-0.95


def common_share(value: str) -> tuple[float, int]:
    """(share of common bigrams, number of bigrams) among the pairs of adjacent letters of `value`."""
    folded = value.lower()
    pairs = [a + b for a, b in pairwise(folded) if a.isalpha() and b.isalpha()]
    if not pairs:
        return 1.0, 0
    return sum(pair in COMMON for pair in pairs) / len(pairs), len(pairs)


def gibberish(value: str) -> bool:
    """Letters no language or naming habit writes: enough adjacent letter pairs, few of them common."""
    share, pairs = common_share(value)
    return pairs >= MIN_BIGRAMS and share < RANDOM_SHARE
