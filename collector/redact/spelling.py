"""Names as people write them: secret words run together with others, or misspelled.

`keywords.words` splits a name at case changes, digits and separators; `AWSACCESSKEYID`,
`passwordtravis` and `nodePreGypAccesskeyid` keep words run together, and `APP_SECRETE` or
`PYPI_PASSOWRD` hold a secret word with a typo. `read` turns each such word into the words it stands
for, so that the vocabulary (`keywords.py`) judges the name as if it had been written out:

- a word holding one of the `STEMS` is split around it (`awsaccesskeyid` -> `aws accesskey id`), unless
  what follows the stem is an ending that makes another word of it (`tokenizer`, `secretary`,
  `passwordless`);
- a word of six letters or more one edit (a letter added, left out, changed, or two letters swapped)
  from a `TYPO_TARGETS` word is read as that word (`secrete`, `passowrd`, `credentail`), but for the
  English words that are that close (`passed`).
"""

from __future__ import annotations

import functools

# Secret words found inside a longer word, longest first (so `secretkey` wins over `secret`).
STEMS = ("credentials", "passphrase", "privatekey", "accesskey", "secretkey", "credential", "authtoken",
         "passwords", "password", "apitoken", "apikey", "passwd", "secrets", "secret", "tokens", "token")
# Endings that turn a stem into another word: tokenize, tokenizer, secretary, passwordless, secreted.
_ENDINGS = frozenset({"s", "es", "ed", "er", "ers", "ing", "ings", "ize", "izer", "izers", "ized", "izes",
                      "izing", "ization", "ise", "iser", "ised", "ary", "aries", "ly", "less", "ness", "ive",
                      "ion", "ions", "ial", "ials", "ially", "ism"})
TYPO_TARGETS = ("password", "passwd", "passphrase", "secret", "credential", "credentials", "apikey",
                "accesskey", "secretkey", "privatekey")
_CLOSE_WORDS = frozenset({"passed", "passer", "passes"})  # English words one edit from a target
MIN_TYPO = 6  # shorter words are too close to too many others (`taken` is one edit from `token`)


def read(parts: list[str]) -> list[str]:
    """The words `parts` (lower case, as `keywords.words` splits a name) stand for."""
    out: list[str] = []
    for part in parts:
        out.extend(read_word(part))
    return out


@functools.lru_cache(maxsize=4096)
def read_word(part: str) -> tuple[str, ...]:
    """One word of a name as the words it stands for: itself, a split around a stem, or a corrected typo."""
    if part in STEMS or part in TYPO_TARGETS:
        return (part,)
    split = _split(part)
    if split is not None:
        return split
    if len(part) >= MIN_TYPO and part not in _CLOSE_WORDS:
        for target in TYPO_TARGETS:
            if part != target and one_edit(part, target):
                return (target,)
    return (part,)


def _split(part: str) -> tuple[str, ...] | None:
    for stem in STEMS:
        at = part.find(stem)
        if at == -1:
            continue
        rest = part[at + len(stem):]
        if rest in _ENDINGS:
            return None  # another word: tokenizer, secretary
        before = (part[:at],) if at else ()
        after = read_word(rest) if rest else ()
        return (*before, stem, *after)
    return None


def one_edit(a: str, b: str) -> bool:
    """`a` and `b` differ by one letter added, left out or changed, or two adjacent letters swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]
