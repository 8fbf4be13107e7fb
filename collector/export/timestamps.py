"""Step times as UTC timestamps: the header's start plus the step's milliseconds (one clock, one start)."""

from __future__ import annotations

from datetime import timedelta

from collector.errors import EpisodeError
from schemas import EpisodeHeader


def utc_at(header: EpisodeHeader, t_ms: int) -> str:
    """ISO 8601 in UTC with milliseconds, `Z` for the zone: `2026-03-14T09:26:53.589Z`."""
    try:
        moment = header.started_at + timedelta(milliseconds=t_ms)
    except OverflowError:
        raise EpisodeError(f"step time {t_ms} ms after the start falls after the year 9999") from None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
