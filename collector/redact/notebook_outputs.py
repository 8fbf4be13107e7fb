"""A Jupyter notebook's outputs, execution counts and kernel metadata, masked as spans of its `.ipynb` text.

`spans(text)` finds them without re-serialising: every element of a cell's `outputs` (one placeholder per
output, a JSON string, so the notebook keeps its shape and stays valid JSON), every cell's
`execution_count`, and the notebook's `metadata.kernelspec` and `metadata.language_info`. Every occurrence
of a key is masked, a duplicated one included. `NotebookMask` replaces them with `«redacted:RULE:N»`
placeholders numbered per distinct value over one episode, as redaction numbers secrets, and counts them
for the `redaction` steps. A text that is not a notebook JSON object (malformed, hostile, too deeply
nested) is masked whole: when in doubt, mask.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

CHANNEL = "notebook_outputs"  # the channel that keeps them (schemas/settings.py, off unless listed)
OUTPUT = "notebook_output"      # one per output of a cell
COUNT = "notebook_count"        # a cell's execution_count
METADATA = "notebook_metadata"  # the kernelspec, the language_info
UNREADABLE = "notebook_unreadable"  # the whole text, when it cannot be read as a notebook
KERNEL_KEYS = frozenset({"kernelspec", "language_info"})
RULES = frozenset({OUTPUT, COUNT, METADATA, UNREADABLE})
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


class NotNotebook(ValueError):
    """The text is not a notebook JSON object this module can walk."""


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the text, masked as `rule`."""

    start: int
    end: int
    rule: str


def spans(text: str) -> list[Span]:
    """The spans to mask, in order; NotNotebook when the text is not a JSON object."""
    try:
        return list(_notebook(text))
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


def _notebook(text: str) -> list[Span]:
    found: list[Span] = []
    members, end = _members(text, 0)
    if _skip(text, end) != len(text):
        raise NotNotebook("text after the notebook's JSON object")
    for key, start, _ in members:
        if key == "cells" and _is(text, start, "["):
            for cell_start, _ in _elements(text, start):
                if _is(text, cell_start, "{"):
                    found.extend(_cell(text, cell_start))
        elif key == "metadata" and _is(text, start, "{"):
            found.extend(Span(s, e, METADATA) for k, s, e in _members(text, start)[0] if k in KERNEL_KEYS)
    return sorted(found, key=lambda span: span.start)


def _cell(text: str, at: int) -> list[Span]:
    found: list[Span] = []
    for key, start, end in _members(text, at)[0]:
        if key == "outputs":
            if _is(text, start, "["):
                found.extend(Span(s, e, OUTPUT) for s, e in _elements(text, start))
            elif text[start:end] != "null":
                found.append(Span(start, end, OUTPUT))
        elif key == "execution_count" and text[start:end] != "null":
            found.append(Span(start, end, COUNT))
    return found


@dataclass
class NotebookMask:
    """Masks notebooks over one episode: one placeholder per distinct value and rule, counted."""

    numbers: dict[tuple[str, str], str] = field(default_factory=dict)
    written: Counter[str] = field(default_factory=Counter)
    per_rule: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)  # one line each: which text, why

    def placeholder(self, rule: str, value: str) -> str:
        held = self.numbers.get((rule, value))
        if held is None:
            self.per_rule[rule] += 1
            held = self.numbers[(rule, value)] = f"«redacted:{rule}:{self.per_rule[rule]}»"
        self.written[held] += 1
        return held

    def mask(self, text: str, what: str) -> str:
        """`text` with its outputs, execution counts and kernel metadata masked (`what` names it in the
        line kept about an unreadable one)."""
        try:
            found = spans(text)
        except NotNotebook as exc:
            self.unreadable.append(f"{what}: not a readable notebook ({exc}); masked whole")
            return json.dumps(self.placeholder(UNREADABLE, text), ensure_ascii=False)
        if not found:
            return text
        parts: list[str] = []
        at = 0
        for span in found:
            placeholder = self.placeholder(span.rule, text[span.start:span.end])
            parts += [text[at:span.start], json.dumps(placeholder, ensure_ascii=False)]
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
    """`text` with each span masked by its rule's name alone, numbering and value left out."""
    parts: list[str] = []
    at = 0
    for span in spans(text):
        parts += [text[at:span.start], span.rule]
        at = span.end
    return "".join([*parts, text[at:]])
