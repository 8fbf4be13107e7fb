"""Steps and their parts made from plain dicts in tests, validated as the product validates them."""

from __future__ import annotations

from typing import TypeVar

import msgspec

T = TypeVar("T")


def make(kind: type[T], data: object) -> T:
    """`data` (a plain dict, as stored) as a `kind` (a step type or one of its parts), validated."""
    return msgspec.convert(data, kind)
