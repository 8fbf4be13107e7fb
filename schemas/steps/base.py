"""What every step is made of: the compiled struct base, positions, ranges, the step base and its clock,
and the constrained values steps hold.

Steps are `msgspec.Struct`s: one type from the daemon's ingest to the dataset rows, decoded from plain
dicts (`msgspec.convert`) with every constraint below checked in C, immutable, compared and hashed by value.
The constrained values it shares with the header, consent statement and settings (and `whole`, for
patterns) are schemas/common.py's.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from schemas.common import (
    SOURCE_PATTERN,
    Millis,
    RelPath,
    Sha256Hex,
    ShortText,
    Source,
    Text,
    whole,
)
from schemas.compiled import compile_module
from schemas.limits import MAX_POSITION

Line = Annotated[int, msgspec.Meta(ge=0, le=MAX_POSITION)]
# On the first step of an episode that gives a file's whole text (an `open`, a `save` with its text, a
# `file_change` that creates or modifies it): that text against the file in the commit the header's
# `head_at_start` names, compared by git blob id before redaction: `same` (HEAD's text), `other` (HEAD holds
# other text), `absent` (HEAD holds no such file). Left out: not compared (a later step, no HEAD, git could
# not list the commit).
HeadText = Literal["same", "other", "absent"]


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


__all__ = [  # with what it shares with the header and settings (schemas/common.py), for the step modules
    "MAX_POSITION",
    "SOURCE_PATTERN",
    "HeadText",
    "Line",
    "Millis",
    "Position",
    "Range",
    "RelPath",
    "Sha256Hex",
    "ShortText",
    "Source",
    "StepBase",
    "Struct",
    "Text",
    "whole",
]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
