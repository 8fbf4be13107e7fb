"""How much memory a msgpack payload becomes once decoded, estimated before decoding it.

msgpack is compact: one byte becomes a 72-byte empty list, three a 200-byte dict, so a zstd frame
of a few kilobytes can decompress to 128 MiB that unpacks into gigabytes of Python objects, without
breaking any per-container cap. `check_decoded_size` walks the encoded structure without building
anything and refuses a payload whose objects would take more than a budget. Payloads small enough
that even the worst case fits are not walked at all. A string's characters take 1, 2 or 4 bytes each,
the widest of them deciding for all: one emoji in megabytes of ASCII makes Python hold every character
in 4, so a long string's cost is its size times the widest its UTF-8 lead bytes allow.
"""

from __future__ import annotations

import re

from collector.errors import EpisodeError, EpisodeTooLarge

MAX_DECODED = 256 * 1024 * 1024
WORST_PER_BYTE = 96  # an upper bound on decoded bytes per encoded byte (empty containers)

# Approximate CPython (64-bit) sizes of what msgpack-python builds; each object also costs the
# 8-byte reference its container holds to it. A dict holds up to five entries in its smallest table.
_REF, _LIST, _EMPTY_DICT, _DICT, _DICT_ENTRY, _STR, _BYTES, _NUMBER = 8, 72, 80, 200, 48, 80, 48, 32
MAX_DEPTH = 1024  # msgpack-python refuses deeper nesting
# type byte -> size of the length or value that follows it (msgpack spec)
_STR_LEN = {0xD9: 1, 0xDA: 2, 0xDB: 4}
_BIN_LEN = {0xC4: 1, 0xC5: 2, 0xC6: 4}
_ARRAY_LEN = {0xDC: 2, 0xDD: 4}
_MAP_LEN = {0xDE: 2, 0xDF: 4}
_SHARED_RUN = re.compile(rb"[\x00-\x7f\xc0\xc2\xc3\xe0-\xff]+")
_WIDE = re.compile(rb"[\xf0-\xf4]")  # the lead byte of a character above U+FFFF: 4 bytes each
_HALF_WIDE = re.compile(rb"[\xc4-\xef]")  # of one above U+00FF: 2 bytes each
_SCANNED = 256  # strings at least this long are looked into for their width
_NUMBER_LEN = {0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}


def check_decoded_size(data: bytes, what: str, budget: int = MAX_DECODED) -> None:
    """Raise EpisodeError when `data` would decode to more than `budget` bytes of objects."""
    if len(data) * WORST_PER_BYTE <= budget:
        return
    cost, end = _walk(data, budget)
    if cost > budget:
        raise EpisodeTooLarge(f"{what} would take more than {budget >> 20} MiB once decoded "
                              "(msgpack amplification)")
    if end < len(data):  # refused here: msgpack's ExtraData would copy all of the rest
        raise EpisodeError(f"{what} has {len(data) - end} bytes after its msgpack value")


def _walk(data: bytes, budget: int) -> tuple[int, int]:
    """(estimated decoded size, where it ends) of the first object in `data`, stopping above `budget`.

    A truncated, too deeply nested or invalid payload ends at len(data): the decoder reports it.
    """
    pos, end, cost = 0, len(data), 0
    stack: list[tuple[int, bool]] = []  # the enclosing containers: (objects left, is a map)
    left, in_map = 1, False
    while cost <= budget:
        if left == 0:
            if not stack:
                return cost, min(pos, end)
            left, in_map = stack.pop()
            continue
        if pos >= end or len(stack) > MAX_DEPTH:
            return cost, end
        byte = data[pos]
        if byte < 0x80 or byte >= 0xE0 or byte in (0xC0, 0xC2, 0xC3):
            # fixints, nil, booleans are shared objects: take the whole run of them at once
            run = min(_SHARED_RUN.match(data, pos).end() - pos, left)  # type: ignore[union-attr]
            pos += run
            left -= run
            cost += _REF * run
            continue
        is_key = in_map and left % 2 == 0  # msgpack interns string keys: they cost only a reference
        left -= 1
        pos += 1
        cost += _REF
        if 0x80 <= byte < 0xA0:
            count = byte & 0x0F
        elif 0xA0 <= byte < 0xC0:
            size = byte & 0x1F
            pos += size
            cost += 0 if is_key else _STR + size
            continue
        elif byte in _NUMBER_LEN:
            pos += _NUMBER_LEN[byte]
            cost += _NUMBER
            continue
        else:
            width = _STR_LEN.get(byte) or _BIN_LEN.get(byte) or _ARRAY_LEN.get(byte) or _MAP_LEN.get(byte)
            if width is None:
                return cost, end  # ext types and 0xC1: the decoder refuses them
            count = int.from_bytes(data[pos : pos + width], "big")
            pos += width
            if byte in _STR_LEN or byte in _BIN_LEN:
                if byte in _BIN_LEN:
                    cost += _BYTES + count
                elif not is_key:
                    cost += _STR + count * _width(data, pos, pos + count)
                pos += count
                continue
        stack.append((left, in_map))
        in_map = byte < 0x90 or byte in _MAP_LEN
        left = 2 * count if in_map else count
        if not in_map:
            cost += _LIST
        else:
            cost += _DICT + _DICT_ENTRY * max(0, count - 5) if count else _EMPTY_DICT
    return cost, min(pos, end)


def _width(data: bytes, start: int, end: int) -> int:
    """Bytes per character of the string encoded in `data[start:end]` once decoded (at most)."""
    if end - start < _SCANNED:
        return 1
    return 4 if _WIDE.search(data, start, end) else 2 if _HALF_WIDE.search(data, start, end) else 1
