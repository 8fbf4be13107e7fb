"""Runs of typed characters found in a step chunk's columns, a chunk at a time (the dataset build's reader).

A run is two or more consecutive edit steps to one file, each one change inserting text without a line
break, each but the first exactly where the one before ended. The columns say so without decoding a step:
the encoder stores a change's range relative to its file's caret, and a key typed at the caret is four
zeros (schemas/EPISODE_FORMAT.md). `typing_runs` finds every run of a chunk with a few passes over its
columns at C speed (bytes, maps, a regular expression); the decoder (chunk.py) then reads each run's
columns at once instead of step by step.

It looks only at chunks whose columns are all of the types and lengths the encoder writes. Anything else
(a float for an int, a column too short, an unknown kind) finds no run, so the decoder goes step by step
and refuses the step at fault as ever.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, compress
from operator import eq
from typing import TYPE_CHECKING, Any, NamedTuple

from collector.text.positions import units

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

EDIT, GENERIC = 1, 0  # chunk.py's step encodings (which it checks: it imports this module)
MAX_CHANGES = 100_000  # chunk.MAX_STEP_CHANGES

_BREAK = re.compile(r"[\r\n]")
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")
_ONES = re.compile(rb"\x01+")
_ZERO = (0, 0, 0, 0)  # a range at the caret
_INSERT = (0, 0)  # a range that ends where it starts


class Runs(NamedTuple):
    """A chunk's runs: `ends[first edit]` is the edit after its run (edits counted from 0 in the chunk,
    every step of a run an edit), and what the decoder reads of them a slice at a time: each step's time,
    each change's text, its length in code units and where it starts in the text column, whether no edit
    of the chunk lacks a version."""

    ends: dict[int, int]
    times: list[int]
    texts: list[str]
    widths: list[int]
    offsets: list[int]
    versioned: bool


def typing_runs(chunk: dict[str, Any], encoding: PositionEncoding) -> Runs | None:
    """The runs of typed characters in a chunk whose columns the decoder has begun to trust (a map, its
    step count and text length checked); None when it has none or its columns are not plainly the
    encoder's."""
    kinds, dts, source_ids = chunk["k"], chunk["dt"], chunk["s"]
    ep, ev, en, cf = chunk["ep"], chunk["ev"], chunk["en"], chunk["cf"]
    cols, lengths, text = chunk["c"], chunk["cl"], chunk["ct"]
    if not (type(kinds) is bytes and type(source_ids) is bytes and type(chunk["S"]) is list
            and type(chunk["P"]) is list and type(chunk["t0"]) is int
            and all(type(column) is list for column in (dts, ep, ev, en, cf, cols, lengths))):
        return None
    edits = kinds.count(EDIT)
    if edits < 2 or edits + kinds.count(GENERIC) != len(kinds) or not len(ep) == len(ev) == len(en) == edits:
        return None
    versions = set(map(type, ev))
    if not (_ints(dts) and min(dts) >= 0 and _ints(en) and min(en) >= 1 and max(en) <= MAX_CHANGES
            and _ints(ep) and min(ep) >= 0 and max(ep) < len(chunk["P"])
            and versions <= {int, type(None)} and _ints(lengths) and _ints(cf) and _ints(cols)
            and (not source_ids or max(source_ids) < len(chunk["S"]))):
        return None
    changes = sum(en)
    if len(lengths) != changes or (lengths and min(lengths) < 0) or len(cols) != 4 * (changes - len(cf)) \
            or cf != sorted(set(cf)) or (cf and (cf[0] < 0 or cf[-1] >= changes)):
        return None
    offsets = list(accumulate(lengths, initial=0))
    plain = bytearray(map(bool, lengths))  # per change: text without a line break, not empty
    for found in _BREAK.finditer(text):
        plain[bisect_right(offsets, found.start()) - 1] = 0
    quads = iter(cols)
    at_caret = bytes(map(_ZERO.__eq__, zip(quads, quads, quads, quads, strict=True)))  # per ranged change
    inserts = bytes(map(_INSERT.__eq__, zip(cols[2::4], cols[3::4], strict=True)))
    if not cf and changes == edits:  # every edit one change with a range (typing: nearly every chunk)
        single = b"\x01" * edits
        at_caret_e, inserts_e, plain_e = at_caret, inserts, bytes(plain)
    else:
        single, at_caret_e, inserts_e, plain_e = _per_edit(en, cf, at_caret, inserts, plain)
    after_edit = bytes(compress(b"\x00" + kinds[:-1], kinds))  # per edit: the step before it is an edit
    same_file = b"\x00" + bytes(map(eq, ep[1:], ep[:-1]))
    follows = _all(single, after_edit, same_file, at_caret_e, plain_e)  # typed where the edit before ended
    starts = _all(single, inserts_e, plain_e)
    ends: dict[int, int] = {}
    for stretch in _ONES.finditer(follows):
        first, end = stretch.span()
        if first and starts[first - 1]:
            first -= 1
        if end - first >= 2:
            ends[first] = end
    if not ends:
        return None
    texts = list(map(text.__getitem__, map(slice, offsets, offsets[1:])))
    widths = lengths
    if encoding != "utf-32" and not text.isascii():  # a character beyond ASCII: more than one unit in
        widths = list(lengths)  # utf-8, two in utf-16 beyond the BMP
        beyond: set[int] = set()
        for found in _BEYOND_ASCII.finditer(text):  # each change a stretch of such characters is in
            beyond.update(range(bisect_right(offsets, found.start()) - 1,
                                bisect_right(offsets, found.end() - 1)))
        for change in beyond:
            widths[change] = units(texts[change], encoding)
    return Runs(ends, list(accumulate(dts, initial=chunk["t0"]))[1:], texts, widths, offsets,
                type(None) not in versions)


def _ints(values: list[Any]) -> bool:
    return set(map(type, values)) <= {int}


def _all(*flags: bytes) -> bytes:
    """Byte by byte, 1 where every one of `flags` (0 or 1 each, of one length) is 1."""
    value = int.from_bytes(flags[0], "big")
    for more in flags[1:]:
        value &= int.from_bytes(more, "big")
    return value.to_bytes(len(flags[0]), "big")


def _per_edit(en: list[int], cf: list[int], at_caret: bytes, inserts: bytes, plain: Sequence[int]
              ) -> tuple[bytes, bytes, bytes, bytes]:
    """The per-change flags as per-edit ones (0 for an edit of several changes or of a whole document),
    for a chunk that holds either."""
    full = set(cf)
    single, caret_e, inserts_e, plain_e = bytearray(), bytearray(), bytearray(), bytearray()
    change = ranged = 0
    for count in en:
        one = count == 1 and change not in full
        single.append(one)
        caret_e.append(one and at_caret[ranged])
        inserts_e.append(one and inserts[ranged])
        plain_e.append(one and plain[change])
        ranged += count - sum(1 for number in range(change, change + count) if number in full)
        change += count
    return bytes(single), bytes(caret_e), bytes(inserts_e), bytes(plain_e)
