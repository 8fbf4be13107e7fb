"""The ids of a text's characters, as the survival trace keeps them (survival.py): one 4-byte int per
character, the id of the change that inserted it (0: text the episode found); a layer with no id but 0 is
None. Of a change that inserted characters that are not whitespace, only those carry its id.
"""

from __future__ import annotations

from array import array

from collector.text.linediff import shared_prefix, shared_suffix

Ids = array | None  # type: ignore[type-arg]  # (array's parameter is its typecode, not a type)
CODE = "i"
BLANKS = (" ", "\t", "\n", "\r", "\f", "\v")  # what a solid share leaves out (survival.py `solid_left`)


def solid_in(text: str, start: int, end: int) -> int:
    """How many characters of text[start:end] are not whitespace."""
    part = text[start:end]
    return len(part) - sum(part.count(blank) for blank in BLANKS)


def zeros(length: int) -> array:  # type: ignore[type-arg]
    return array(CODE, (0,)) * length  # (made in place: no bytes of its size beside it)


def marks(text: str, made: int) -> array:  # type: ignore[type-arg]
    """The ids of `text` inserted by `made`: its whitespace carries 0 (not traced) when it holds anything
    else."""
    solid = solid_in(text, 0, len(text))
    if not made or solid in (0, len(text)):
        return array(CODE, [made]) * len(text)
    return array(CODE, [0 if char in BLANKS else made for char in text])


def traced(solid: int, count: int) -> int:
    """How many of the `count` characters a change inserted are traced, `solid` of them not whitespace."""
    return solid or count


def ends(old: str, new: str) -> tuple[int, int]:
    """(prefix, suffix): the characters `old` and `new` share at their start and, after it, at their end."""
    prefix = shared_prefix(old, new)
    return prefix, min(shared_suffix(old, new), min(len(old), len(new)) - prefix)


def rewrite(ids: Ids, old: str | None, new: str, made: int) -> Ids:
    """The ids of `new` written over `old` (whose ids are `ids`): the shared start and end keep theirs,
    the characters between are `made`'s."""
    if old is None:
        return None if not made or not new else marks(new, made)
    if old == new:
        return ids
    prefix, suffix = ends(old, new)
    middle = len(new) - prefix - suffix
    if ids is None and (not made or not middle):
        return None
    before = zeros(len(old)) if ids is None else ids
    return before[:prefix] + marks(new[prefix:len(new) - suffix], made) + before[len(old) - suffix:]
