"""Persistence at fixed horizons: whether some of what a change inserted (an AI suggestion taken, an agent's
turn's writes) was still in the files so long after it was written, from the survival trace
(survival.py). The exports that carry these columns (kto, swe-messages, ATIF: docs/exports.md) also carry
the time until none was left, so a lab picks a horizon of its own; kto's `label` is persistence at
DEFAULT.

A horizon past the episode's end reads as kept when some was left at the end: what the recording does not
hold is not counted against it. The times are the episode's step times, in an unlinkable episode the
retimed ones the receiver holds (docs/unlinkable.md).
"""

from __future__ import annotations

HORIZONS = {"survived_30s": 30_000, "survived_5min": 300_000}  # column -> ms after the write
DEFAULT = "survived_5min"  # kto's label (docs/exports.md says why)


def persisted(none_left_ms: int | None) -> dict[str, bool]:
    """The HORIZONS columns of characters none of which was left `none_left_ms` after they were written
    (None: some were left at the episode's end)."""
    return {name: none_left_ms is None or none_left_ms > ms for name, ms in HORIZONS.items()}


def absent() -> dict[str, bool]:
    """The HORIZONS columns where nothing was written (false: nothing persisted)."""
    return dict.fromkeys(HORIZONS, False)
