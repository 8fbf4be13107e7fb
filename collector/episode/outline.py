"""A step chunk's outline: how many steps it holds, their times and kinds, without decoding the steps.

Reading a whole chunk builds every step (the generic steps' maps, every change of every edit), which is
what replaying needs and what counting does not. `outline` reads the same msgpack payload with
msgpack's streaming unpacker and skips, without building them, every column but the step count, the
kind codes, the time deltas, the `kind` of each generic step and the texts the chunk carries: a tenth of
the decoding work. Seeking uses it to know every step's time up front, keyframes to know how many steps
precede them and what text they may refer to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgpack

from collector.episode.chunk import EDIT, GENERIC, MAX_CHUNK_STEPS
from collector.episode.decoding import MSGPACK_LIMITS
from collector.errors import EpisodeError

_READ = ("n", "t0", "k", "dt", "ct")


@dataclass(frozen=True)
class Outline:
    """What a chunk holds: `kinds` is the chunk's kind code per step, `generic` the `kind` of each
    generic step in order (whatever the file says: a kind this codetape does not know included), `texts`
    what `chunk_texts` makes of the chunk."""

    count: int
    t0: int
    kinds: bytes
    deltas: list[int]
    generic: list[object]
    texts: bytes

    def times(self, known: frozenset[str] | set[str]) -> list[int]:
        """The time of every step whose kind is in `known` (edits always are), in order."""
        times: list[int] = []
        t = self.t0
        generic = iter(self.generic)
        for code, dt in zip(self.kinds, self.deltas, strict=True):
            t += dt
            if code == EDIT or next(generic) in known:
                times.append(t)
        return times

    def unknown(self, known: frozenset[str] | set[str]) -> list[str]:
        """The kinds of generic steps not in `known`, one entry per step."""
        return [str(kind) for kind in self.generic if kind not in known]


def outline(payload: bytes, what: str) -> Outline:
    """The outline of a decompressed steps payload; EpisodeError when it is not a chunk map."""
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=True, max_buffer_size=len(payload) + 1,
                                **MSGPACK_LIMITS)
    unpacker.feed(payload)
    read: dict[str, object] = {}
    generic: list[object] = []
    texts: list[str] = []
    try:
        for _ in range(unpacker.read_map_header()):
            key = unpacker.unpack()
            if key in _READ:
                read[key] = unpacker.unpack()
            elif key == "g":
                generic = [_kind_of(unpacker, texts) for _ in range(unpacker.read_array_header())]
            else:
                unpacker.skip()
    except (ValueError, msgpack.UnpackException, msgpack.ExtraData, TypeError, RecursionError,
            msgpack.OutOfData) as exc:
        raise EpisodeError(f"{what} is not a step chunk ({type(exc).__name__})") from None
    count, t0, kinds, deltas, typed = (read.get(key) for key in _READ)
    if not (isinstance(count, int) and 0 < count <= MAX_CHUNK_STEPS and isinstance(t0, int)
            and isinstance(kinds, bytes) and isinstance(deltas, list) and len(kinds) == len(deltas) == count):
        raise EpisodeError(f"{what}: step chunk columns disagree on the step count")
    if not isinstance(typed, str):
        raise EpisodeError(f"{what}: step chunk has no text column")
    if any(not isinstance(dt, int) or dt < 0 for dt in deltas):
        raise EpisodeError(f"{what}: step times go backwards")
    if kinds.count(GENERIC) != len(generic) or kinds.count(EDIT) + len(generic) != count:
        raise EpisodeError(f"{what}: step chunk kind column does not match its steps")
    return Outline(count, t0, kinds, deltas, generic, _utf8([*texts, typed]))


def chunk_texts(chunk: dict[str, Any]) -> bytes:
    """The texts a chunk carries, as keyframes refer to them (schemas/EPISODE_FORMAT.md): the `text` of
    every generic step that has one, in order, then the text column, in UTF-8."""
    texts = [entry["text"] for entry in chunk["g"] if isinstance(entry.get("text"), str)]
    return _utf8([*texts, chunk["ct"]])


def _utf8(texts: list[str]) -> bytes:
    return "".join(texts).encode("utf-8", "surrogatepass")


def _kind_of(unpacker: msgpack.Unpacker, texts: list[str]) -> object:
    """The `kind` of one generic step's map, adding its `text` (if a string) to `texts`, skipping the rest."""
    kind: object = None
    for _ in range(unpacker.read_map_header()):
        key = unpacker.unpack()
        if key == "kind":
            kind = unpacker.unpack()
        elif key == "text":
            text = unpacker.unpack()
            if isinstance(text, str):
                texts.append(text)
        else:
            unpacker.skip()
    return kind
