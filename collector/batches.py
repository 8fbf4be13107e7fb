"""Reading a stream in batches that stop at its first damage, the one way the episode reader and the
seal both do it: what came before the damage is still returned, to be used before the error is raised."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
E = TypeVar("E", bound=Exception)


def take(items: Iterator[T], count: int, damage: type[E]) -> tuple[list[T], E | None]:
    """Up to `count` items from `items`, and the `damage` error that ended them early, if any."""
    batch: list[T] = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) == count:
                break
    except damage as exc:
        return batch, exc
    return batch, None
