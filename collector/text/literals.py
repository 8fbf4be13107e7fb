"""Literal strings as one regular expression shaped as a trie: at each place of a text the regex engine
follows one branch per character instead of trying every value, so that thousands of names (a history's
co-authors, every locale's month names) cost one pass over a text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable


def literal_pattern(values: Iterable[str], *, fold: bool = False) -> str:
    """A regular expression for any of `values` (at least one), matching the longest that fits where more
    than one does, as a trie: at each place the regex engine follows one branch per character instead of
    trying every value (`fold`: for matching in any case, with re.IGNORECASE or `(?i)`)."""
    return _trie(tuple(sorted({value.lower() if fold else value for value in values})))


Trie = dict[str, "Trie"]  # a character -> what follows it; "" -> {}: a value ends here


@functools.lru_cache(maxsize=4096)
def _escaped(char: str) -> str:
    return re.escape(char)


@functools.lru_cache(maxsize=16)
def _trie(values: tuple[str, ...]) -> str:
    if not any(values):
        return "(?!)"  # nothing matches
    root: Trie = {}
    for value in filter(None, values):
        node = root
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(root)


def _branches(node: Trie) -> str:
    """The regex of a trie node's children (longest first: an end of a value is an optional rest)."""
    alternatives: list[str] = []
    ends: list[str] = []
    for char in sorted(key for key in node if key):
        chars, child = [_escaped(char)], node[char]
        while len(child) == 1 and "" not in child:  # a run of one child each: literal characters
            (next_char, grandchild), = child.items()
            chars.append(_escaped(next_char))
            child = grandchild
        if len(child) == 1:  # "" only: a value ends here
            (ends if len(chars) == 1 else alternatives).append("".join(chars))
            continue
        rest = _branches(child)
        alternatives.append("".join(chars) + (f"(?:{rest})?" if "" in child else rest))
    if ends:
        alternatives.append(ends[0] if len(ends) == 1 else f"[{''.join(ends)}]")
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
