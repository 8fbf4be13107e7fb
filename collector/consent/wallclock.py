"""The instants of an episode's period, however a tool spells them, cut to their day (unlinkable mode).

The second a commit was made is what its id hashes (consent/pseudonyms.py), and a time of day or a zone
narrows who, among the staff, was at work. A time is recognised by its value, not by a list of formats:
the episode knows its period, so `Spellings(period)` builds its patterns from the period's own values
(its years and days, its months in every locale CLDR names them: calendar_names.py; its epoch
seconds as a range of digits) and finds them in any order and with any separator:

    an epoch value of the period, a day either side, at any precision: seconds, milliseconds,
    microseconds, nanoseconds, a decimal fraction        -> the UTC day's start, at the same precision
        1795798546.6318629 -> 1795737600.0000000         events.out.tfevents.1795798627.… -> …1795737600.…
        1795752876 +0900   -> 1795737600 +0000           (git's raw form)
    a date of the period with a clock time next to it    -> the date (and a year after the time)
        2026/11/28 01:55:43 (Go's log)     28.11.2026, 01:55:44     11/28/2026, 1:55:43 AM
        Sat Nov 28 01:55:43 JST 2026 -> Sat Nov 28 2026              Sa 28. Nov 01:55:43 JST 2026
        2026-11-28T01:55:43.123456789+09:00[Asia/Tokyo]              2026年11月28日 01:55:43
        Sat Nov 28 2026 01:55:43 GMT+0900 (Japan Standard Time) -> Sat Nov 28 2026
        Nov28_01-57-07 (SummaryWriter)    2026-11-28/01-57-07 (Hydra)    20261128_015707 (wandb)
      the clock time as H:MM[:SS[.f]], with AM/PM, as HH-MM-SS or HHMMSS after a date in a name; the
      zone after it as an offset, `Z`, an abbreviation of the tz database (never a letter pattern: a
      log level after a time stays), a zone's name in brackets or parentheses
    a language's datetime repr                           -> its day
        datetime.datetime(2026, 11, 28, 1, 55, 54, tzinfo=…) -> datetime.datetime(2026, 11, 28)
        time.struct_time(…, tm_hour=1, tm_min=55, tm_sec=54, …, tm_zone='JST', tm_gmtoff=32400)
    a time with an offset and no date (13:14:49+09:00), a time starting a log line   -> cut
    a zone wherever it stands: an IANA name (Asia/Tokyo), UTC+9, GMT-05:00, Python's
    timezone(timedelta(seconds=32400)) and dateutil's tzoffset(None, 32400)          -> «zone»

What stays: a date alone (the day is shared), a bare clock time away from any date (`ps`'s `00:00:01`,
a duration, `in 0.12s`), version numbers, ports, line numbers, and the episode's own times in 100 ms steps
from its start. Without a period, only times that carry an offset are cut (`day_of_wall_clock(text)`).

Free text is cut (`Spellings.cut`); file text and paths must still replay, so the same patterns go to the
review's span masking as whole-match patterns (`Spellings.patterns`, consent/scrub.py file_text_patterns).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from collector.consent.calendar_names import MONTHS
from collector.text.literals import literal_pattern

DAY_S = 86_400
ZONE = "«zone»"
MAX_OFFSET_S = 14 * 3600  # the widest offset any zone has: a local date differs from UTC's by at most this


@dataclass(frozen=True)
class Period:
    """When an episode was recorded (UTC): epoch seconds a day either side of it are its times."""

    start: datetime
    end: datetime

    def days(self) -> list[date]:
        """Every date a clock anywhere showed during the period, a day either side."""
        first = (self.start - timedelta(seconds=DAY_S + MAX_OFFSET_S)).date()
        last = (self.end + timedelta(seconds=DAY_S + MAX_OFFSET_S)).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def wall_clock_period(start: datetime, last_ms: int) -> Period:
    """The period of an episode that started at `start` and whose last step is at `last_ms`."""
    utc = start.astimezone(UTC)
    return Period(utc, utc + timedelta(milliseconds=last_ms))


def day_of_wall_clock(text: str, period: Period | None = None) -> str:
    """`text` with every time of day that carries a UTC offset cut to its day, and, given the episode's
    `period`, every spelling of its instants (see the module's docstring)."""
    if period is None:
        return _offset_only(text)
    return spellings(period).cut(text)


@functools.lru_cache(maxsize=4)
def spellings(period: Period) -> Spellings:
    """The spellings of `period`'s instants (built once a period: a signing asks for them per text, and
    its span masking once more)."""
    return Spellings(period)


Cut = Callable[[re.Match[str]], str]


class Spellings:
    """The patterns of one period's instants, each with how free text cuts it."""

    def __init__(self, period: Period) -> None:
        days = period.days()
        low = int(period.start.timestamp()) - DAY_S
        high = int(period.end.timestamp()) + DAY_S
        date_, zones = _date_pattern(days), _zones()
        # (pattern, how free text cuts a match, a text it cannot match in: it does not hold this)
        self._rules: list[tuple[str, Cut, re.Pattern[str]]] = [
            (_repr_pattern(days), _keep_day, _NEEDS_REPR),
            (r"\btime\.struct_time\([^()\n]*\btm_hour=[^()\n]*\)", _struct_time_day, _NEEDS_STRUCT),
            (_stamp_pattern(date_, zones), _stamp_day, _NEEDS_CLOCK),
            # a time before its date (`%X %x`: 01:55:43 11/28/26)
            (rf"(?P<rest>{_TIME}{_AMPM}?{zones})(?:,? +| ?[T_/-])(?P<date>{_date_pattern(days, named=False)})"
             r"(?!\d)", _keep_date, _NEEDS_CLOCK),
            (rf"(?<!\d)(?<!\d\.)(?P<s>{digits_between(low, high)})(?P<sub>\d{{9}}|\d{{6}}|\d{{3}})?"
             r"(?P<frac>\.\d+)?(?P<off> [+-]\d{4})?(?![\d])", _epoch_day, _NEEDS_EPOCH),
            (_WITH_OFFSET, _drop, _NEEDS_CLOCK),
            (_LEADING, _drop, _NEEDS_CLOCK),
            # a log line's time, wherever the line starts
            (rf"(?<![\d:.]){_TIME}(?= {_LEVEL})", _drop, _NEEDS_CLOCK),
            (_zone_mention(), _zone, _NEEDS_ZONE),
        ]
        # compiled as the span masking compiles them (re's cache then compiles each once)
        self._compiled = [(re.compile(_whole(pattern)), cut, needs) for pattern, cut, needs in self._rules]

    @property
    def patterns(self) -> tuple[str, ...]:
        """The span masking's patterns: each masks its whole match (it is the pattern's first group)."""
        return tuple(_whole(pattern) for pattern, _, _ in self._rules)

    def cut(self, text: str) -> str:
        """`text` with each instant of the period cut to its day (see the module's docstring)."""
        for pattern, cut, needs in self._compiled:
            if needs.search(text):
                text = pattern.sub(cut, text)
        return text


def _whole(pattern: str) -> str:
    """`pattern` as one group, multi-line: the span masking masks a pattern's first group."""
    return f"(?m:({pattern}))"


# what a text holds where a rule can match in it (a quick look before the rule's own search)
_NEEDS_REPR = re.compile(r"datetime\(")
_NEEDS_STRUCT = re.compile(r"tm_hour=")
_NEEDS_CLOCK = re.compile(r"\d[:.時时시-]?\d\d")
_NEEDS_EPOCH = re.compile(r"\d{10}")
_NEEDS_ZONE = re.compile(r"[/(<]|UTC|GMT")


# -- the parts of a time ---------------------------------------------------------------------------------

_CLOCK = (r"(?:T?\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?![\d:])"
          r"|\d{1,2}[時时시] ?\d{1,2}[分분](?: ?\d{1,2}[秒초])?)")
_TIME = rf"(?<![\d:]){_CLOCK}"  # not the end of a longer one
_TIME_AFTER_DATE = rf"(?:{_CLOCK}|\d{{1,2}}\.\d{{2}}(?:\.\d{{2}})?(?![\d.]))"  # and 1.55.43 (fi, da, nb)
# after a date in a name: HH-MM-SS, HH.MM.SS, HHMMSS (a valid time: `2026` after `Nov 28` is its year)
_TIME_IN_NAME = r"(?:[01]\d|2[0-3])(?P<tsep>[-.]?)[0-5]\d(?P=tsep)[0-5]\d(?![\d])"
_ESCAPED = r"\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}"  # a space as a repr writes it (`\u202f`)
_AMPM = rf"(?:(?:[ \u202f\u00a0]|{_ESCAPED})?(?:[AaPp]\.? ?[Mm]\.?(?![\w])|午前|午後|오전|오후|ص|م)(?![\w]))"
_LEVEL = r"(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b"
_OFFSET = r"(?:(?:UTC|GMT)?[+\-\u2212]\d{1,2}(?::?\d{2})?(?![\d:])|Z(?![\w])|UTC(?![\w])|GMT(?![\w]))"
_BRACKETED = r"(?:\[[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+\]|\([^()\n]{1,64}\))"


def _zones() -> str:
    """Zero or more zone marks after a time, and a year between them (git's `08:47:47 2026 +0100`)."""
    zone = rf"(?:{_OFFSET}|{_literals(tz_abbreviations(), word=True)})(?: ?{_BRACKETED})?"
    return rf"(?:(?:,? ?{zone}| ?{_BRACKETED}| (?:19|20)\d\d(?= [+\-A-Z]))*)"


_WITH_OFFSET = (r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)? ?(?:[+-]\d{2}:?\d{2}|Z)(?![\w:])")
_LEADING = r"^\[?\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\]? ?"  # a log line's time


@functools.cache
def tz_abbreviations() -> frozenset[str]:
    """Every alphabetic abbreviation the tz database gives a zone (JST, CET, CEST, EST, ...), UTC and GMT."""
    found = {"UTC", "GMT"}
    moments = [datetime(year, month, 15, tzinfo=UTC) for year in (1990, 2010, 2026) for month in (1, 7)]
    for key in zoneinfo.available_timezones():
        try:
            zone = zoneinfo.ZoneInfo(key)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            continue
        for moment in moments:
            name = moment.astimezone(zone).tzname()
            if name and name.isalpha() and name.isupper() and len(name) >= 2:
                found.add(name)
    return frozenset(found)


@functools.cache
def _iana_names() -> tuple[str, ...]:
    return tuple(key for key in zoneinfo.available_timezones() if "/" in key)


def _zone_mention() -> str:
    """A zone wherever it stands: an IANA name, UTC+9, a Python or dateutil offset object."""
    python = (r"(?:datetime\.)?timezone\((?:datetime\.)?timedelta\([^()]*\)(?:, ?'[^'\n]*')?\)"
              r"|tzoffset\([^()\n]*\)|tzinfo=<[^<>\n]*>")
    offset = r"(?<![\w])(?:UTC|GMT)[+\-\u2212]\d{1,2}(?::?\d{2})?(?![\d:])"
    iana = rf"(?<![\w])(?=[A-Z][A-Za-z]+/){_literals(_iana_names())}(?![\w/])"
    return rf"(?=[A-Za-z_.]{{2,40}}[/(=<+\-\u2212])(?:{python}|{offset}|{iana})"


# -- dates, from the period's values ------------------------------------------------------------------------

_ENGLISH_WEEKDAYS = [(name[:3].lower(), name.lower()) for name in
                     ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")]


def _date_pattern(days: Iterable[date], *, named: bool = True) -> str:
    """A date of `days`, numeric in any order and with any separator, or (`named`) with a month's name in
    any locale, or an English weekday's alone."""
    days = list(days)
    year4 = _alternatives(str(day.year) for day in days)
    year2 = _alternatives(f"{day.year % 100:02d}" for day in days)
    month = _alternatives(f"0?{day.month}" if day.month < 10 else str(day.month) for day in days)
    mday = _alternatives(f"0?{day.day}" if day.day < 10 else str(day.day) for day in days)
    month2 = _alternatives(f"{day.month:02d}" for day in days)
    mday2 = _alternatives(f"{day.day:02d}" for day in days)
    mark = r"(?:[\u200e\u200f]|\\u200[ef])?"
    sep = rf"{mark}[-/.]{mark}"  # and the direction marks Arabic dates carry
    numeric = (
        rf"{year4}{sep}{month}{sep}{mday}|{year4}[年년] ?{month}[月월] ?{mday}[日일]|{year4}{month2}{mday2}"
        rf"|(?:{year4}|{year2})\. ?{month}\. ?{mday}\.?|{year2}{month2}{mday2}"
        rf"|{mday}{sep}{month}{sep}(?:{year4}|{year2})|{month}[-/]{mday}[-/](?:{year4}|{year2})")
    if not named:
        return rf"(?<![^\W_])(?:{numeric})"
    names = _literals({name for day in days for name in MONTHS[day.month]}, fold=True)
    # a weekday alone before a time (`Sat 01:55:43`), in English: every locale's names of the period's
    # weekdays would be most of these patterns and of the time it takes to compile them (with a date, a
    # time is found in every locale's words)
    weekday = _literals({name for day in days for name in _ENGLISH_WEEKDAYS[day.weekday()]}, fold=True)
    suffix = r"(?:st|nd|rd|th|日|일|\.)?"
    year = rf"(?:,? *(?:{year4}(?!\d)|{year2}(?![\d:]))(?:年)?)?"
    month_first = rf"(?:{names})\.?[ /-]*{mday}{suffix}{year}"  # Nov 28, November 28, 2026, 11月28日
    digits_first = (
        rf"{numeric}|{mday}\.?[ /-]*(?:de )?(?:{names})\.?"
        rf"(?:[ /-]*(?:de )?(?:{year4}(?!\d)|{year2}(?![\d:])))?"
        rf"|{year4}年? *(?:{names}) *{mday}{suffix}|{month_first}")
    # a word is tried as a month's or weekday's name only where a digit follows it closely (a name of two
    # words, `de nov.`, is found after its day): the names of every locale are many, and most words of a
    # text are no date
    words_first = rf"(?=[^\W\d_]+\.?[ ,/-]{{0,3}}\d)(?:{month_first}|{weekday}\.?(?![\w]))"
    return rf"(?<![^\W_])(?:(?=\d)(?:{digits_first})|{words_first})"  # after `_` too: `backup_20261128-…`


def _stamp_pattern(date_: str, zones: str) -> str:
    """A date with a clock time next to it and the `zones` after the time: groups `date`, `rest`, `name`."""
    # `, `, ` at `, ` um `, `T`, `:`, ` г. в `, ` (토) `, an offset (`2026年11月28日 +0900 01:55:43`)
    near = rf"(?:[^\d\n]|{_ESCAPED}|[+\-\u2212]\d{{2}}:?\d{{2}}(?= )){{0,8}}?"
    return (rf"(?P<date>{date_})(?:(?P<rest>{near}{_TIME_AFTER_DATE}{_AMPM}?{zones})"
            rf"|(?P<name>[ _/T-]?{_TIME_IN_NAME}{zones}))")


def _repr_pattern(days: Iterable[date]) -> str:
    """Python's datetime.datetime(Y, M, D, h, m, s, us, tzinfo=...) repr: group `date` is its day."""
    days = list(days)
    year = _alternatives(str(day.year) for day in days)
    month = _alternatives(str(day.month) for day in days)
    mday = _alternatives(str(day.day) for day in days)
    nested = r"(?:[^()\n]|\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\))*\))*?"
    return (rf"(?P<date>\bdatetime(?:\.datetime)?\({year}, {month}, {mday})"
            rf"(?P<rest>(?:, -?\d+){{1,4}}(?:, (?:tzinfo|fold)={nested})*)(?P<end>\))")


# -- how free text cuts each ----------------------------------------------------------------------------

def _drop(match: re.Match[str]) -> str:
    return ""


def _zone(match: re.Match[str]) -> str:
    return ZONE


def _keep_day(match: re.Match[str]) -> str:
    return match["date"] + match["end"]


def _keep_date(match: re.Match[str]) -> str:
    return match["date"]


def _stamp_day(match: re.Match[str]) -> str:
    """The date, and a year written after the time (`date`'s `… 01:55:43 JST 2026`)."""
    rest = match["rest"] or ""
    years = re.findall(r"(?<![\d:.,])(?:19|20)\d\d(?![\d:])", rest)
    return match["date"] + "".join(" " + year for year in years)


_STRUCT_TIME_CUT = re.compile(r", (?:tm_hour|tm_min|tm_sec|tm_gmtoff)=-?\d+|, tm_zone='[^'\n]*'")


def _struct_time_day(match: re.Match[str]) -> str:
    return _STRUCT_TIME_CUT.sub("", match.group())


def _epoch_day(match: re.Match[str]) -> str:
    seconds = int(match["s"])
    day = str(seconds - seconds % DAY_S) + "0" * len(match["sub"] or "")
    frac = match["frac"]
    return day + ("." + "0" * (len(frac) - 1) if frac else "") + (" +0000" if match["off"] else "")


# -- regular expressions from values -------------------------------------------------------------------------

def digits_between(low: int, high: int) -> str:
    """A regular expression for the decimal integers from `low` to `high` (both >= 0), no leading zeros."""
    if low > high:
        return r"(?!)"
    parts: list[str] = []
    while low <= high:
        # the widest block [low, low + 10**k - 1] aligned at low that stays within high
        k = 0
        while low % 10 ** (k + 1) == 0 and low + 10 ** (k + 1) - 1 <= high:
            k += 1
        prefix = str(low)[:-k] if k else str(low)
        parts.append(prefix + (r"\d" * k if k == 0 else rf"\d{{{k}}}"))
        low += 10 ** k
    return "(?:" + "|".join(parts) + ")"


def _alternatives(values: Iterable[str]) -> str:
    return "(?:" + "|".join(sorted(set(values), key=lambda v: (-len(v), v))) + ")"


def _literals(values: Iterable[str], *, fold: bool = False, word: bool = False) -> str:
    """Any of `values` as one trie-shaped group (collector/text/literals.py), matched in any case when
    `fold`, not inside a longer word when `word`."""
    body = f"(?:{literal_pattern(values, fold=fold)})"
    if fold:
        body = f"(?i:{body})"
    return rf"(?<![\w]){body}(?![\w])" if word else body


# -- without a period: the times that carry an offset ----------------------------------------------------

_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_OFFSET_ONLY = (
    (re.compile(rf"\b({_DAY} {_MONTH} +\d{{1,2}}) {_CLOCK} (\d{{4}}) {_OFFSET}"), r"\1 \2"),
    (re.compile(rf"\b({_DAY} {_MONTH} +\d{{1,2}}) {_CLOCK} [A-Z]{{2,5}} (\d{{4}})"), r"\1 \2"),
    (re.compile(rf"\b({_DAY}, +\d{{1,2}} {_MONTH} \d{{4}}) {_CLOCK} {_OFFSET}"), r"\1"),
    (re.compile(rf"\b(\d{{4}}-\d{{2}}-\d{{2}})[T ]{_CLOCK} ?{_OFFSET}"), r"\1"),
    (re.compile(_WITH_OFFSET), ""),
)
_RAW = re.compile(r"(?<![\w.])(\d{9,10}) [+-]\d{4}\b")  # git's raw form: epoch seconds and the offset


def _offset_only(text: str) -> str:
    if ":" in text:
        for pattern, day in _OFFSET_ONLY:
            text = pattern.sub(day, text)
    return _RAW.sub(lambda m: f"{int(m.group(1)) - int(m.group(1)) % DAY_S} +0000", text)
