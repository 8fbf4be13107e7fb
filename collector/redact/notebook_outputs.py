"""A Jupyter notebook's outputs, execution counts and kernel metadata, masked as spans of its `.ipynb` text.

`spans(text)` finds them without re-serialising: every element of a cell's `outputs`, every cell's
`execution_count`, and the notebook's `metadata.kernelspec` and `metadata.language_info`. Every occurrence
of a key is masked, a duplicated one included. `NotebookMask` replaces each so that the file stays a valid
notebook (nbformat 4) of the same shape: an output becomes a `stream` output whose text is a
`«redacted:RULE:N»` placeholder, numbered per distinct value over one episode as redaction numbers secrets
and counted for the `redaction` steps; an execution count becomes `null` (what a cell never run has, so no
placeholder); the kernelspec and language_info keep their required names, each a placeholder. A text that
is not a notebook JSON object (malformed, hostile, too deeply nested) is masked whole: when in doubt, mask.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, assert_never

CHANNEL = "notebook_outputs"  # the channel that keeps them (schemas/settings.py, off unless listed)
OUTPUT = "notebook_output"      # one per output of a cell
COUNT = "notebook_count"        # a cell's execution_count (masked as null: no placeholder, no step)
METADATA = "notebook_metadata"  # the kernelspec, the language_info
UNREADABLE = "notebook_unreadable"  # the whole text, when it cannot be read as a notebook
KERNEL_KEYS = frozenset({"kernelspec", "language_info"})
RULES = frozenset({OUTPUT, COUNT, METADATA, UNREADABLE})
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"
Shape = Literal["output", "outputs", "count", "kernelspec", "language_info"]  # what a span was
_RULE: dict[Shape, str] = {"output": OUTPUT, "outputs": OUTPUT, "count": COUNT, "kernelspec": METADATA,
                           "language_info": METADATA}


class NotNotebook(ValueError):
    """The text is not a notebook JSON object this module can walk."""


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the text, masked as `rule`; `shape` says what they were: one output of a
    list, a whole `outputs` that is not a list, an execution count, or the kernel metadata's key."""

    start: int
    end: int
    shape: Shape

    @property
    def rule(self) -> str:
        return _RULE[self.shape]


def spans(text: str, *, nulls: bool = False) -> list[Span]:
    """The spans to mask, in order, an execution count of `null` among them only when `nulls`; NotNotebook
    when the text is not a JSON object."""
    try:
        return list(_notebook(text, nulls))
    except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError
        raise NotNotebook(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _WHITESPACE:
        at += 1
    return at


def _expect(text: str, at: int, char: str) -> int:
    at = _skip(text, at)
    if at >= len(text) or text[at] != char:
        raise NotNotebook(f"expected {char!r} at character {at}")
    return at + 1


def _value_end(text: str, at: int) -> int:
    """Where the JSON value starting at `at` (after whitespace) ends."""
    _, end = _DECODER.raw_decode(text, _skip(text, at))
    return end


def _members(text: str, at: int) -> tuple[list[tuple[str, int, int]], int]:
    """An object's members from its `{` at `at`, (key, value start, value end) each, and its end."""
    at = _expect(text, at, "{")
    out: list[tuple[str, int, int]] = []
    at = _skip(text, at)
    if at < len(text) and text[at] == "}":
        return out, at + 1
    while True:
        at = _skip(text, at)
        key, at = _DECODER.raw_decode(text, at)
        if not isinstance(key, str):
            raise NotNotebook(f"an object key that is not a string at character {at}")
        at = _expect(text, at, ":")
        start = _skip(text, at)
        end = _value_end(text, start)
        out.append((key, start, end))
        at = _skip(text, end)
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        return out, _expect(text, at, "}")


def _elements(text: str, at: int) -> list[tuple[int, int]]:
    """An array's elements from its `[` at `at`: (start, end) each."""
    at = _expect(text, at, "[")
    out: list[tuple[int, int]] = []
    at = _skip(text, at)
    if at < len(text) and text[at] == "]":
        return out
    while True:
        start = _skip(text, at)
        end = _value_end(text, start)
        out.append((start, end))
        at = _skip(text, end)
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        _expect(text, at, "]")
        return out


def _is(text: str, at: int, char: str) -> bool:
    return at < len(text) and text[at] == char


def _notebook(text: str, nulls: bool) -> list[Span]:
    found: list[Span] = []
    members, end = _members(text, 0)
    if _skip(text, end) != len(text):
        raise NotNotebook("text after the notebook's JSON object")
    for key, start, _ in members:
        if key == "cells" and _is(text, start, "["):
            for cell_start, _ in _elements(text, start):
                if _is(text, cell_start, "{"):
                    found.extend(_cell(text, cell_start, nulls))
        elif key == "metadata" and _is(text, start, "{"):
            found.extend(Span(s, e, "kernelspec" if k == "kernelspec" else "language_info")
                         for k, s, e in _members(text, start)[0] if k in KERNEL_KEYS)
    return sorted(found, key=lambda span: span.start)


def _cell(text: str, at: int, nulls: bool) -> list[Span]:
    found: list[Span] = []
    for key, start, end in _members(text, at)[0]:
        if key == "outputs":
            if _is(text, start, "["):
                found.extend(Span(s, e, "output") for s, e in _elements(text, start))
            elif text[start:end] != "null":
                found.append(Span(start, end, "outputs"))
        elif key == "execution_count" and (nulls or text[start:end] != "null"):
            found.append(Span(start, end, "count"))
    return found


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _masked(shape: Shape, placeholder: str) -> str:
    """What a span of this shape becomes: valid nbformat 4 where it stands."""
    match shape:
        case "output":
            return _json({"output_type": "stream", "name": "stdout", "text": placeholder})
        case "outputs":
            return "[" + _masked("output", placeholder) + "]"
        case "count":
            return "null"
        case "kernelspec":
            return _json({"display_name": placeholder, "name": placeholder})
        case "language_info":
            return _json({"name": placeholder})
        case _:
            assert_never(shape)


@dataclass
class NotebookMask:
    """Masks notebooks over one episode: one placeholder per distinct value and rule, counted."""

    numbers: dict[tuple[str, str], str] = field(default_factory=dict)
    written: Counter[str] = field(default_factory=Counter)
    per_rule: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)  # one line each: which text, why

    def placeholder(self, rule: str, value: str) -> str:
        """The placeholder of this value under this rule (not yet counted as written)."""
        held = self.numbers.get((rule, value))
        if held is None:
            self.per_rule[rule] += 1
            held = self.numbers[(rule, value)] = f"«redacted:{rule}:{self.per_rule[rule]}»"
        return held

    def _write(self, shape: Shape, value: str) -> str:
        """What a span becomes, its placeholder counted as often as it is written (none for a count)."""
        if shape == "count":
            return _masked(shape, "")
        placeholder = self.placeholder(_RULE[shape], value)
        masked = _masked(shape, placeholder)
        self.written[placeholder] += masked.count(placeholder)
        return masked

    def mask(self, text: str, what: str) -> str:
        """`text` with its outputs, execution counts and kernel metadata masked (`what` names it in the
        line kept about an unreadable one)."""
        try:
            found = spans(text)
        except NotNotebook as exc:
            self.unreadable.append(f"{what}: not a readable notebook ({exc}); masked whole")
            placeholder = self.placeholder(UNREADABLE, text)
            self.written[placeholder] += 1
            return _json(placeholder)
        if not found:
            return text
        parts: list[str] = []
        at = 0
        for span in found:
            parts += [text[at:span.start], self._write(span.shape, text[span.start:span.end])]
            at = span.end
        parts.append(text[at:])
        return "".join(parts)


def same_but_masked(ours: str, theirs: str) -> bool:
    """Whether two notebook texts are the same but for what is masked (an episode's masked text against
    the notebook it was masked from: `verify --against-git`); False when either is not a notebook."""
    try:
        return _unmasked(ours) == _unmasked(theirs)
    except NotNotebook:
        return False


def _unmasked(text: str) -> str:
    """`text` with each span, a null execution count included, masked by its rule's name alone (a list of
    one where `outputs` was not a list), numbering and value left out."""
    parts: list[str] = []
    at = 0
    for span in spans(text, nulls=True):
        parts += [text[at:span.start], f"[{span.rule}]" if span.shape == "outputs" else span.rule]
        at = span.end
    return "".join([*parts, text[at:]])
