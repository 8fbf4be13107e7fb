"""Wall-clock times with a UTC offset, as commands print them, cut to the day (unlinkable mode).

`git log` prints `Date:   Thu Nov 26 08:47:47 2026 +0100`: the second and the zone a commit id hashes
(consent/pseudonyms.py), and the zone alone narrows who, among the staff, was at work. In what an
unlinkable episode's steps say, each such time keeps its day and loses the time of day and the offset:

    Thu Nov 26 08:47:47 2026 +0100        ->  Thu Nov 26 2026        (git's default)
    Thu Nov 26 08:47:47 CET 2026          ->  Thu Nov 26 2026        (`date`)
    Thu, 26 Nov 2026 08:47:47 +0100       ->  Thu, 26 Nov 2026       (RFC 2822, `git log --date=rfc`)
    2026-11-26 08:47:47 +0100             ->  2026-11-26             (`--date=iso`)
    2026-11-26T08:47:47+01:00             ->  2026-11-26             (ISO 8601, `--date=iso-strict`)

A time without an offset says nothing of the zone and stays, as the episode's own times in 100 ms steps
from its start do.
"""

from __future__ import annotations

import re

_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_OFFSET = r"(?:[+-]\d{2}:?\d{2}|Z\b|UTC\b|GMT\b)"
_PATTERNS = (
    # Thu Nov 26 08:47:47 2026 +0100
    (re.compile(rf"\b({_DAY} {_MONTH} +\d{{1,2}}) {_TIME} (\d{{4}}) {_OFFSET}"), r"\1 \2"),
    # Thu Nov 26 08:47:47 CET 2026 (`date`: the zone's name before the year)
    (re.compile(rf"\b({_DAY} {_MONTH} +\d{{1,2}}) {_TIME} [A-Z]{{2,5}} (\d{{4}})"), r"\1 \2"),
    # Thu, 26 Nov 2026 08:47:47 +0100
    (re.compile(rf"\b({_DAY}, +\d{{1,2}} {_MONTH} \d{{4}}) {_TIME} {_OFFSET}"), r"\1"),
    # 2026-11-26 08:47:47 +0100, 2026-11-26T08:47:47+01:00, 2026-11-26T08:47:47Z
    (re.compile(rf"\b(\d{{4}}-\d{{2}}-\d{{2}})[T ]{_TIME} ?{_OFFSET}"), r"\1"),
)


def day_of_wall_clock(text: str) -> str:
    """`text` with every time of day that carries a UTC offset cut to its day (see the module's docstring)."""
    if ":" not in text:
        return text
    for pattern, day in _PATTERNS:
        text = pattern.sub(day, text)
    return text
