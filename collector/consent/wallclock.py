"""Wall-clock times with a UTC offset, as commands print them, cut to the day (unlinkable mode).

`git log` prints `Date:   Thu Nov 26 08:47:47 2026 +0100`: the second and the zone a commit id hashes
(consent/pseudonyms.py), and the zone alone narrows who, among the staff, was at work. In what an
unlinkable episode's steps say, each such time keeps its day and loses the time of day and the offset:

    Thu Nov 26 08:47:47 2026 +0100        ->  Thu Nov 26 2026        (git's default)
    Thu Nov 26 08:47:47 CET 2026          ->  Thu Nov 26 2026        (`date`)
    Thu, 26 Nov 2026 08:47:47 +0100       ->  Thu, 26 Nov 2026       (RFC 2822, `git log --date=rfc`)
    2026-11-26 08:47:47 +0100             ->  2026-11-26             (`--date=iso`)
    2026-11-26T08:47:47+01:00             ->  2026-11-26             (ISO 8601, `--date=iso-strict`)

and, since the second a commit was made is what its id hashes (issue 67, item 2):

    1795752876 +0900                      ->  1795737600 +0000       (git's raw form: the UTC day's start)
    1795752876                            ->  1795737600             (epoch seconds of the episode's
                                                                      period, a day either side)
    13:14:49+09:00                        ->  (cut)                  (a time with an offset, no date)
    Thu Nov 26 08:47:47 2026              ->  Thu Nov 26 2026        (a time after a date or weekday on
    Nov 26 08:47 notes.txt                ->  Nov 26 notes.txt        its line: `--date=local`, `ls -l`)
    08:47:47 INFO started                 ->  INFO started           (a time starting a log line)

A bare time elsewhere (`ps`'s `00:00:01`, a duration) stays, as the episode's own times in 100 ms steps
from its start do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


_WITH_OFFSET = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)? ?[+-]\d{2}:?\d{2}\b")
_RAW = re.compile(r"(?<![\w.])(\d{9,10}) [+-]\d{4}\b")  # git's raw form: epoch seconds and the offset
_EPOCH = re.compile(r"(?<![\w.])(\d{10})(\d{3})?(?![\w.])")  # epoch seconds (or milliseconds)
_DATE = re.compile(rf"\b(?:{_DAY}\b|{_MONTH} +\d{{1,2}}|\d{{1,2}} {_MONTH}|\d{{4}}-\d{{2}}-\d{{2}}"
                   r"|\d{1,2}/\d{1,2}/\d{2,4})(?!\d)")
_BARE = re.compile(r"[ T]?(?<![\d:.])\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?![\d:])")
_LEADING = re.compile(r"^\[?\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\]? ?", re.M)  # a log line's time
DAY_S = 86_400


@dataclass(frozen=True)
class Period:
    """When an episode was recorded (UTC): epoch seconds a day either side of it are its times."""

    start: datetime
    end: datetime

    def holds(self, seconds: int) -> bool:
        first = self.start.timestamp() - DAY_S
        return first <= seconds <= self.end.timestamp() + DAY_S


def day_of_wall_clock(text: str, period: Period | None = None) -> str:
    """`text` with every time of day that carries a UTC offset cut to its day, and, given the episode's
    `period`, every other form of its times of day (see the module's docstring)."""
    if ":" in text:
        for pattern, day in _PATTERNS:
            text = pattern.sub(day, text)
        text = _WITH_OFFSET.sub("", text)
    text = _RAW.sub(lambda m: f"{_day_start(int(m.group(1)))} +0000", text)
    if period is None:
        return text
    text = _EPOCH.sub(lambda m: _epoch_day(m, period), text)
    if ":" in text:
        text = _LEADING.sub("", text)
        text = "".join(_after_date(line) for line in text.splitlines(keepends=True))
    return text


def _day_start(seconds: int) -> int:
    return seconds - seconds % DAY_S


def _epoch_day(match: re.Match[str], period: Period) -> str:
    seconds = int(match.group(1))
    if not period.holds(seconds):
        return match.group()
    return str(_day_start(seconds)) + ("000" if match.group(2) else "")


def _after_date(line: str) -> str:
    """`line` without the times of day that follow a date or weekday on it."""
    if ":" not in line:
        return line
    date = _DATE.search(line)
    if date is None:
        return line
    return line[:date.end()] + _BARE.sub("", line[date.end():])


def wall_clock_period(start: datetime, last_ms: int) -> Period:
    """The period of an episode that started at `start` and whose last step is at `last_ms`."""
    utc = start.astimezone(UTC)
    return Period(utc, utc + timedelta(milliseconds=last_ms))
