"""What every step is made of: the compiled struct base, positions, ranges, the step base and its clock,
and the constrained values steps hold.

Steps are `msgspec.Struct`s: one type from the daemon's ingest to the dataset rows, decoded from plain
dicts (`msgspec.convert`) with every constraint below checked in C, immutable, compared and hashed by value.
Patterns end in `$(?!\\n)`: Python's `$` also matches before a final line break, which a value must not
end in; the look-ahead is valid JSON Schema (ECMA) regex too, where it changes nothing.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from schemas.limits import MAX_MILLIS, MAX_POSITION, PATH_MAX, SHORT_TEXT_MAX, TEXT_MAX


def whole(pattern: str) -> str:
    """`pattern` (which starts with `^`) matching a whole value, never one that ends in a line break."""
    return f"{pattern}$(?!\\n)"



# A workspace-relative POSIX path ("src/app.py"). Absolute paths never appear in an episode:
# they would leak the developer's home directory. Safety (no "..", no absolute) is enforced
# where paths touch a filesystem (checkout), so a hostile file is reported, not silently fixed.
RelPath = Annotated[str, msgspec.Meta(min_length=1, max_length=PATH_MAX)]
Millis = Annotated[int, msgspec.Meta(ge=0, le=MAX_MILLIS)]
SOURCE_PATTERN = whole(r"^[a-z][a-z0-9_.-]{0,31}")
Source = Annotated[str, msgspec.Meta(pattern=SOURCE_PATTERN)]
Text = Annotated[str, msgspec.Meta(max_length=TEXT_MAX)]
ShortText = Annotated[str, msgspec.Meta(max_length=SHORT_TEXT_MAX)]
Sha256Hex = Annotated[str, msgspec.Meta(pattern=whole(r"^[0-9a-f]{64}"))]
Line = Annotated[int, msgspec.Meta(ge=0, le=MAX_POSITION)]


class Struct(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True,
             gc=False):
    """Strict, immutable base for everything in a step: unknown fields refused, defaults left out of the
    plain form (as stored and as `codetape cat` prints). Not tracked by Python's cycle collector (`gc`):
    a step holds strings, numbers and lists of its own parts, never itself, and a replay makes millions
    of them (the collector's walks over them took 5 % of a dataset build)."""


class Position(Struct, frozen=True, kw_only=True):
    """A zero-based line and character offset, counted in the episode's position encoding."""

    line: Line
    character: Line


class Range(Struct, frozen=True, kw_only=True):
    """A half-open span between two positions, as in LSP."""

    start: Position
    end: Position


class StepBase(Struct, frozen=True, kw_only=True, tag_field="kind"):
    """Every step: when it happened (ms since the episode start) and which component saw it. Its `kind`
    is the tag of the step union (schemas/steps/__init__.py), a class attribute of each step type."""

    t_ms: Millis
    source: Source
