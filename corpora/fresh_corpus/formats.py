"""The fresh corpus's description of a credential format: a shape, and values drawn from it.

A shape is a sequence of parts: literal text (`Literal`), a run of characters of one set whose length
lies in a range (`Run`), or one of several shapes (`Choice`). `from_regex` reads a shape from the part
of a regular expression that captures a credential; `draw` makes a random value of that shape (a run
whose range is open or wide is drawn at most 32 characters longer than its least; a run never draws a
character of `UNWRITABLE`).
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from re import _constants as c  # type: ignore[attr-defined]  # the stdlib's own parse tree
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

# Characters a run never draws: they would end the quoted string or the line the value is written on, and
# in the source patterns they come from over-wide ranges (`A-z` also spans `[\\]^_` and a backtick).
UNWRITABLE = frozenset("[\\]^`'\"<>{}|;, \t\r\n")
WIDEST = 32  # a run is drawn at most this many characters longer than its least
_CATEGORIES = {c.CATEGORY_DIGIT: string.digits, c.CATEGORY_WORD: string.ascii_letters + string.digits + "_"}


@dataclass(frozen=True)
class Literal:
    text: str

    @property
    def least(self) -> int:
        return len(self.text)

    def to_json(self) -> Any:
        return self.text


@dataclass(frozen=True)
class Run:
    chars: str
    low: int
    high: int

    @property
    def least(self) -> int:
        return self.low

    def to_json(self) -> Any:
        return {"chars": self.chars, "min": self.low, "max": self.high}


@dataclass(frozen=True)
class Choice:
    options: tuple[tuple[Part, ...], ...]

    @property
    def least(self) -> int:
        return min(sum(p.least for p in option) for option in self.options)

    def to_json(self) -> Any:
        return {"one_of": [[p.to_json() for p in option] for option in self.options]}


Part = Literal | Run | Choice
Shape = tuple[Part, ...]


def from_json(parts: list[Any]) -> Shape:
    out: list[Part] = []
    for p in parts:
        if isinstance(p, str):
            out.append(Literal(p))
        elif "one_of" in p:
            out.append(Choice(tuple(from_json(option) for option in p["one_of"])))
        else:
            out.append(Run(p["chars"], p["min"], p["max"]))
    return tuple(out)


def _chars(items: list[tuple[Any, Any]]) -> str:
    chars: list[str] = []
    for op, arg in items:
        if op is c.LITERAL:
            chars.append(chr(arg))
        elif op is c.RANGE:
            chars.extend(chr(i) for i in range(arg[0], arg[1] + 1))
        elif op is c.CATEGORY and arg in _CATEGORIES:
            chars.extend(_CATEGORIES[arg])
        else:
            raise ValueError(f"a set this shape cannot say: {op}")
    kept = [ch for ch in chars if ch not in UNWRITABLE]
    if not kept:
        raise ValueError("a set of nothing but characters a value cannot hold here")
    return "".join(sorted(set(kept), key=kept.index))


def _parts(tree: Any) -> list[Part]:
    out: list[Part] = []
    for op, arg in tree:
        if op is c.LITERAL:
            if out and isinstance(out[-1], Literal):
                out[-1] = Literal(out[-1].text + chr(arg))
            else:
                out.append(Literal(chr(arg)))
        elif op is c.IN:
            out.append(Run(_chars(arg), 1, 1))
        elif op is c.CATEGORY and arg in _CATEGORIES:
            out.append(Run(_CATEGORIES[arg], 1, 1))
        elif op is c.AT:
            continue  # \b, ^, $: a boundary, no character
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            inner = _parts(body)
            high = low + WIDEST if high == c.MAXREPEAT else high
            if len(inner) == 1 and isinstance(inner[0], Run) and inner[0].low == inner[0].high == 1:
                out.append(Run(inner[0].chars, low, high))
            elif len(inner) == 1 and isinstance(inner[0], Literal) and len(inner[0].text) == 1 and low < high:
                out.append(Run(inner[0].text, low, high))  # `={0,2}`: a run of one character
            elif low == high:
                out.extend(inner * low)
            elif low == 0 and high == 1:
                out.append(Choice(((), tuple(inner))))
            else:
                raise ValueError("a repeated group of varying length")
        elif op is c.SUBPATTERN:
            out.extend(_parts(arg[-1]))
        elif op is c.BRANCH:
            out.append(Choice(tuple(tuple(_parts(option)) for option in arg[1])))
        else:
            raise ValueError(f"what this shape cannot say: {op}")
    return out


def _captured(tree: Any, number: int | None = None) -> Any | None:
    """The parse tree of capture group `number` in `tree` (None: its first capture group), or None."""
    for op, arg in tree:
        if op is c.SUBPATTERN and arg[0] is not None and number in (None, arg[0]):
            return arg[-1]
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            found = _captured(arg[2], number)
        elif op is c.SUBPATTERN:
            found = _captured(arg[-1], number)
        elif op is c.BRANCH:
            found = next((f for o in arg[1] if (f := _captured(o, number)) is not None), None)
        else:
            found = None
        if found is not None:
            return found
    return None


def from_regex(pattern: str, group: str | None = None) -> Shape:
    """The shape of what `pattern` captures in its group named `group` (without a name: in its first
    group, or what it matches when it has none)."""
    try:
        tree = sre.parse(pattern)
        number = re.compile(pattern).groupindex.get(group) if group is not None else None
    except re.error as e:
        raise ValueError(str(e)) from e
    if group is not None and number is None:
        raise ValueError(f"no {group} group")
    captured = _captured(tree, number)
    if group is not None and captured is None:
        raise ValueError(f"no {group} group")
    shape = tuple(_parts(captured or tree))
    if any(ch in text for text in _texts(shape) for ch in " \t\r\n@") or "://" in "".join(_texts(shape)):
        raise ValueError("a URL, an address or whitespace, not a credential alone")
    return shape


def kept(pattern: str, group: str | None = None, shortest: int = 16) -> list[Any]:
    """What a fresh corpus keeps of `pattern`: the shape of what it captures (`from_regex`), as JSON that
    reads back. ValueError says why not: what a shape cannot say, or shorter than `shortest` at its least."""
    shape = from_regex(pattern, group)
    if sum(p.least for p in shape) < shortest:
        raise ValueError(f"shorter than {shortest}")
    json_shape = [p.to_json() for p in shape]
    from_json(json_shape)  # what is written reads back
    return json_shape


def _texts(shape: Shape) -> list[str]:
    out = []
    for p in shape:
        if isinstance(p, Literal):
            out.append(p.text)
        elif isinstance(p, Run):
            out.append(p.chars)
        else:
            out.extend(t for option in p.options for t in _texts(option))
    return out


def draw(shape: Shape, r: random.Random) -> str:
    out = []
    for p in shape:
        if isinstance(p, Literal):
            out.append(p.text)
        elif isinstance(p, Run):
            n = r.randint(p.low, min(p.high, p.low + WIDEST))
            out.append("".join(r.choice(p.chars) for _ in range(n)))
        else:
            out.append(draw(r.choice(p.options), r))
    return "".join(out)
