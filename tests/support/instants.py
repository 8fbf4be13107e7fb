"""One instant of a session, spelt as everyday tools print it, and a search that knows its value.

`spellings(instant)` gives the instant (an aware datetime in a member's zone) in the layouts runtimes
document, held here as templates: Python's `strftime` as loggers use it and its reprs, ISO 8601 variants,
RFC 2822, `date` in the C locale and localised with CLDR's names (Babel), Go's `log` prefix and
`time.Format` layouts, JavaScript's `Date` methods, Java's `Instant`, `ZonedDateTime`, `Date.toString`,
epoch values at four precisions and float seconds, and the file-name stamps of SummaryWriter, Hydra,
wandb and logrotate. `RUNTIME_CHECKS` holds, per runtime, a program printing some of them for real.

`leaks(text, instant)` is the employer's search: every clock time in `text` compared with the instant's
(local and UTC, 24- and 12-hour, with any separator, and HHMMSS in a stamp), every digit run read as an
epoch value at each precision, every spelling of the zone's offset (signed, and in seconds or minutes as
Python's and `time`'s reprs give it) and the zone's names.
`look_alikes(instant, rng)` draws text that must survive: versions, ports, durations, line and column
numbers, sizes and log levels, none equal to the instant's clock time, epoch value or offset.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_day_names, get_month_names

Template = Callable[[datetime], str]


@dataclass(frozen=True)
class Zone:
    key: str  # IANA name
    abbreviation: str
    long_name: str


ZONES = {9: Zone("Asia/Tokyo", "JST", "Japan Standard Time"),
         -5: Zone("America/New_York", "EST", "Eastern Standard Time")}


def instant(offset_h: int) -> datetime:
    """The instant every test spells: a late-night second in the zone (its local day differs from UTC's
    for +9), microseconds that are no clock time."""
    utc = datetime(2026, 11, 27, 16, 55, 43, 631862, tzinfo=UTC) if offset_h > 0 else \
        datetime(2026, 11, 28, 6, 55, 43, 631862, tzinfo=UTC)
    return utc.astimezone(ZoneInfo(ZONES[offset_h].key))


def _strftime(layout: str) -> Template:
    return lambda dt: dt.strftime(layout)


def _ms(dt: datetime) -> str:
    return f"{dt.microsecond // 1000:03d}"


def _offset(dt: datetime, colon: bool = False) -> str:
    offset = dt.strftime("%z")
    return offset[:3] + ":" + offset[3:] if colon else offset


def _fixed_offset_repr(dt: datetime) -> str:
    seconds = int(dt.utcoffset().total_seconds())  # type: ignore[union-attr]
    return (f"datetime.datetime({dt.year}, {dt.month}, {dt.day}, {dt.hour}, {dt.minute}, {dt.second}, "
            f"{dt.microsecond}, tzinfo=datetime.timezone(datetime.timedelta(seconds={seconds}), "
            f"'{dt.tzname()}'))")


def _struct_time(dt: datetime) -> str:
    local = time.struct_time((dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.weekday(),
                              dt.timetuple().tm_yday, 0, dt.tzname(),
                              int(dt.utcoffset().total_seconds())))  # type: ignore[union-attr]
    return repr(local)


def _go_string(dt: datetime) -> str:  # Go's time.Time.String()
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{dt.microsecond:06d}000 {_offset(dt)} {dt.tzname()}"


def _js_to_string(dt: datetime) -> str:
    return dt.strftime("%a %b %d %Y %H:%M:%S GMT") + _offset(dt) + f" ({ZONES[_hours(dt)].long_name})"


def _hours(dt: datetime) -> int:
    return int(dt.utcoffset().total_seconds()) // 3600  # type: ignore[union-attr]


def _twelve(dt: datetime) -> str:
    return str(dt.hour % 12 or 12)


def _js_locale(locale: str) -> Template:
    """`toLocaleString(LOCALE)` as Node 20's ICU prints it."""
    def spell(dt: datetime) -> str:
        if locale == "en-US":
            return f"{dt.month}/{dt.day}/{dt.year}, {_twelve(dt)}:{dt:%M:%S}\u202f{dt:%p}"
        if locale == "de-DE":
            return f"{dt.day}.{dt.month}.{dt.year}, {dt:%H:%M:%S}"
        if locale == "ja-JP":
            return f"{dt.year}/{dt.month}/{dt.day} {dt.hour}:{dt:%M:%S}"
        if locale == "en-GB":
            return f"{dt:%d/%m/%Y}, {dt:%H:%M:%S}"
        return f"{dt:%d/%m/%Y %H:%M:%S}"  # fr-FR
    return spell


def _java_fraction(dt: datetime) -> str:
    return f".{dt.microsecond:06d}".rstrip("0") if dt.microsecond else ""


def _glibc_date(locale: str, layout: str) -> Template:
    """`date` in LOCALE (glibc's d_t_fmt `layout`, with %a/%A/%b/%B from CLDR)."""
    def spell(dt: datetime) -> str:
        days = get_day_names("abbreviated", locale=locale)
        wide_days = get_day_names("wide", locale=locale)
        months = get_month_names("abbreviated", locale=locale)
        text = layout.replace("%a", days[dt.weekday()]).replace("%A", wide_days[dt.weekday()])
        text = text.replace("%b", months[dt.month]).replace("%-d", str(dt.day))
        return dt.strftime(text)
    return spell


def _babel(format_: str, locale: str) -> Template:
    return lambda dt: format_datetime(dt, format_, tzinfo=dt.tzinfo, locale=locale)


def _epoch(digits: int) -> Template:
    def spell(dt: datetime) -> str:
        seconds = int(dt.timestamp())
        return str(seconds) + f"{dt.microsecond:06d}000"[:digits]
    return spell


PYTHON = [_strftime(layout) for layout in (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %Z", "%c", "%x %X", "%X %x",
    "%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M:%S %Z %Y", "%d/%b/%Y:%H:%M:%S %z", "[%d/%b/%Y %H:%M:%S]",
    "%Y%m%d_%H%M%S", "%Y%m%d%H%M%S", "%Y%m%dT%H%M%S", "%Y-%m-%d_%H-%M-%S", "%d.%m.%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p", "%d %B %Y %H:%M", "%B %d, %Y %I:%M %p", "%A, %d %B %Y %H:%M:%S %Z",
    "%H:%M:%S %d.%m.%Y", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d %H:%M:%S", "%b %d %H:%M:%S", "%d-%b-%Y %H:%M:%S",
    "%Y-%m-%d %H:%M", "%a %d %b %Y %I:%M:%S %p %Z", "%y%m%d %H:%M:%S", "%Y-%m-%d %I:%M %p",
    "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%m-%d-%Y %H:%M:%S", "%Y%m%d %H%M%S",
    "%a, %d %b %Y %H:%M:%S %Z", "%b %d, %Y %H:%M:%S", "%d %b %Y %H:%M:%S %z")] + [
    lambda dt: dt.strftime("%Y-%m-%d %H:%M:%S,") + _ms(dt),  # logging's asctime
    lambda dt: dt.strftime("%Y-%m-%d %H:%M:%S,") + _ms(dt) + " INFO worker started",
    lambda dt: dt.strftime("[%Y-%m-%d %H:%M:%S,") + _ms(dt) + "] WARNING retrying",
    lambda dt: dt.strftime("%H:%M:%S,") + _ms(dt) + " ERROR failed",  # a log line's time, no date
    repr, str, _fixed_offset_repr, _struct_time,
    lambda dt: dt.isoformat(), lambda dt: dt.isoformat(" "), lambda dt: dt.isoformat(timespec="seconds"),
    lambda dt: dt.isoformat(timespec="milliseconds"), lambda dt: dt.isoformat(timespec="minutes"),
    lambda dt: dt.astimezone(UTC).isoformat(), lambda dt: dt.replace(tzinfo=None).isoformat(),
    lambda dt: dt.ctime(), lambda dt: dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    lambda dt: f"Timestamp('{dt:%Y-%m-%d %H:%M:%S}.{dt.microsecond:06d}{_offset(dt)}', tz='{dt.tzinfo}')",
    lambda dt: f"numpy.datetime64('{dt.astimezone(UTC).replace(tzinfo=None).isoformat()}')",
    lambda dt: f"AssertionError: assert {dt!r} == None",
    lambda dt: f'{{"ts": {dt.timestamp()!r}, "level": "info", "msg": "step"}}',  # time.time() in JSON
]
ISO = [_strftime(layout) for layout in (
    "%Y%m%dT%H%M%S%z", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H%M%S")] + [
    lambda dt: dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S") + _offset(dt, colon=True),
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S,") + _ms(dt) + _offset(dt, colon=True),
    lambda dt: dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + _ms(dt) + "Z",
]
RFC2822 = [
    lambda dt: email.utils.format_datetime(dt), lambda dt: email.utils.format_datetime(dt.astimezone(UTC)),
    lambda dt: email.utils.formatdate(dt.timestamp(), usegmt=True),
    lambda dt: "Date: " + email.utils.format_datetime(dt),
]
DATE = [_strftime(layout) for layout in (
    "%a %b %d %H:%M:%S %Z %Y", "%a, %d %b %Y %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z")] + [
    lambda dt: dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{dt.microsecond:06d}000" + _offset(dt, colon=True),
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S") + _offset(dt, colon=True),  # date -Iseconds
    _epoch(9),  # date +%s%N
    _glibc_date("de_DE", "%a %-d. %b %H:%M:%S %Z %Y"), _glibc_date("fr_FR", "%a %d %b %Y %H:%M:%S %Z"),
    _glibc_date("es_ES", "%a %d %b %Y %H:%M:%S %Z"), _glibc_date("ja_JP", "%Y年 %m月 %d日 %A %H:%M:%S %Z"),
    _glibc_date("ru_RU", "%a %d %b %Y %H:%M:%S %Z"), _glibc_date("pt_BR", "%a %d %b %Y %H:%M:%S %Z"),
    _glibc_date("it_IT", "%a %d %b %Y, %H:%M:%S, %Z"), _glibc_date("nl_NL", "%a %d %b %Y %H:%M:%S %Z"),
    _glibc_date("pl_PL", "%a, %-d %b %Y, %H:%M:%S %Z"),
    _glibc_date("ko_KR", "%Y년 %m월 %d일 (%a) %H시 %M분 %S초 %Z"),
    _glibc_date("zh_CN", "%Y年%m月%d日 %A %H时%M分%S秒 %Z"),
    _glibc_date("sv_SE", "%a %d %b %Y %H:%M:%S %Z"), _glibc_date("tr_TR", "%d %b %Y %a %H:%M:%S %Z"),
]
CLDR = [_babel(format_, locale) for locale in ("en_US", "de_DE", "fr_FR", "ja_JP", "es_ES", "ru_RU",
                                                "pt_BR", "zh_CN", "ko_KR", "hi_IN", "ar_EG", "fi_FI", "it_IT",
                                                "nl_NL", "pl_PL", "tr_TR", "sv_SE", "da_DK")
        for format_ in ("short", "medium", "long")]
GO = [_strftime(layout) for layout in (
    "%a %b %e %H:%M:%S %Y", "%a %b %e %H:%M:%S %Z %Y", "%a %b %d %H:%M:%S %z %Y", "%d %b %y %H:%M %Z",
    "%d %b %y %H:%M %z", "%A, %d-%b-%y %H:%M:%S %Z", "%a, %d %b %Y %H:%M:%S %Z", "%a, %d %b %Y %H:%M:%S %z",
    "%b %e %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")] + [  # ANSIC ... DateTime, log's prefix
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S") + _offset(dt, colon=True),  # RFC3339
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}" + _offset(dt, colon=True),
    lambda dt: dt.strftime("%b %e %H:%M:%S.") + _ms(dt),  # StampMilli
    lambda dt: dt.strftime("%b %e %H:%M:%S.") + f"{dt.microsecond:06d}",  # StampMicro
    lambda dt: dt.strftime("%Y-%m-%d ") + f"{_twelve(dt)}:{dt:%M%p}",  # DateOnly + Kitchen
    lambda dt: dt.strftime("%Y/%m/%d %H:%M:%S.") + f"{dt.microsecond:06d} main.go:42: started",
    _go_string,
]
JAVASCRIPT = [_js_to_string,
              *(_js_locale(locale) for locale in ("en-US", "de-DE", "ja-JP", "en-GB", "fr-FR")),
              lambda dt: dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + _ms(dt) + "Z",  # toISOString
              lambda dt: dt.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),  # toUTCString
              lambda dt: dt.strftime("%a %b %d %Y"),  # toDateString: the day only
              lambda dt: str(int(dt.timestamp() * 1000))]  # Date.now()
JAVA = [
    lambda dt: dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + _java_fraction(dt) + "Z",  # Instant
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S") + _java_fraction(dt) + _offset(dt, colon=True)
    + f"[{dt.tzinfo}]",  # ZonedDateTime
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S") + _java_fraction(dt) + _offset(dt, colon=True),
    lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S") + _java_fraction(dt),  # LocalDateTime
    _strftime("%a %b %d %H:%M:%S %Z %Y"),  # Date.toString
]
EPOCH = [_epoch(0), _epoch(3), _epoch(6), _epoch(9), lambda dt: repr(dt.timestamp()),
         lambda dt: f"{dt.timestamp():.7f}", lambda dt: f"{int(dt.timestamp())} {_offset(dt)}"]
FILE_NAMES = [
    lambda dt: dt.strftime("runs/%b%d_%H-%M-%S_") + "wonder-box",  # SummaryWriter's folder
    lambda dt: f"runs/x/events.out.tfevents.{int(dt.timestamp())}.wonder-box.25854.0",  # its event file
    lambda dt: dt.strftime("outputs/%Y-%m-%d/%H-%M-%S"),  # Hydra
    lambda dt: dt.strftime("wandb/run-%Y%m%d_%H%M%S-k3x9q2"),  # wandb
    lambda dt: dt.strftime("logs/app.log-%Y%m%d%H%M%S"),  # logrotate's dateformat -%Y%m%d%H%M%S
    lambda dt: f"logs/app.log-{dt:%Y%m%d}-{int(dt.timestamp())}",  # ... and -%Y%m%d-%s
    lambda dt: dt.strftime("lightning_logs/%Y-%m-%d_%H-%M-%S/checkpoints"),
    lambda dt: dt.strftime("backup_%Y%m%d-%H%M%S.tar.gz"),
]
TEMPLATES: list[Template] = [*PYTHON, *ISO, *RFC2822, *DATE, *CLDR, *GO, *JAVASCRIPT, *JAVA, *EPOCH,
                             *FILE_NAMES]


def spellings(moment: datetime) -> list[str]:
    """Every template's spelling of `moment`, each once."""
    return list(dict.fromkeys(template(moment) for template in TEMPLATES))


# the runtimes' own output, where the runtime is installed: (program, its source, the templates it prints)
RUNTIME_CHECKS = {
    "node": ("node", "-e", "const d = new Date(Number(process.argv[1]) * 1000);"
             "console.log([d.toString(), d.toISOString(), d.toUTCString(), d.toLocaleString('en-US'),"
             "d.toLocaleString('de-DE'), d.toLocaleString('ja-JP'), d.toLocaleString('en-GB')].join('\\n'))"),
    "go": ("go", "run", "main.go"),
    "java": ("java", "Main.java"),
}
NODE_TEMPLATES = [_js_to_string, JAVASCRIPT[6], JAVASCRIPT[7], *JAVASCRIPT[1:5]]
GO_SOURCE = """package main

import ("fmt"; "os"; "strconv"; "time")

func main() {
	ns, _ := strconv.ParseInt(os.Args[1], 10, 64)
	t := time.Unix(0, ns)
	for _, layout := range []string{time.ANSIC, time.UnixDate, time.RubyDate, time.RFC822, time.RFC822Z,
		time.RFC850, time.RFC1123, time.RFC1123Z, time.Stamp, "2006-01-02 15:04:05", "2006/01/02 15:04:05",
		time.RFC3339} {
		fmt.Println(t.Format(layout))
	}
}
"""
GO_TEMPLATES = GO[:12]
JAVA_SOURCE = """import java.time.*;
public class Main {
    public static void main(String[] args) {
        long ns = Long.parseLong(args[0]);
        Instant instant = Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L);
        ZonedDateTime zoned = instant.atZone(ZoneId.systemDefault());
        System.out.println(instant);
        System.out.println(zoned);
        System.out.println(zoned.toOffsetDateTime());
        System.out.println(zoned.toLocalDateTime());
        System.out.println(new java.util.Date(ns / 1_000_000L));
    }
}
"""
JAVA_TEMPLATES = JAVA


def nanoseconds(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


# -- the employer's search ----------------------------------------------------------------------------------

_CLOCK = re.compile(r"(?<!\d)(\d{1,2})([:.\-hH時时시]) ?(\d{2})(?:(?:\2|[分분m]) ?(\d{2}))?(?!\d)")
_REPR = re.compile(r"(?<!\d)(\d{1,2}), (\d{1,2})(?:, (\d{1,2}))?(?!\d)|tm_hour=(\d+), tm_min=(\d+)")
_DIGITS = re.compile(r"\d+")


def leaks(text: str, moment: datetime) -> list[str]:
    """Every place `text` holds `moment`'s clock time (local or UTC), its epoch value at any precision,
    its zone's offset or its zone's names."""
    return [*_clock_times(text, moment), *_reprs(text, moment), *_epochs(text, moment, stamps=True),
            *_zone_leaks(text, moment)]


def clock_leaks(text: str, moment: datetime) -> list[str]:
    """Where `text` holds `moment`'s clock time to the second (local or UTC, any separator) or its epoch
    value at any precision: the part of `leaks` that no other number of a large text matches by chance."""
    return [*_clock_times(text, moment, seconds=True), *_epochs(text, moment, stamps=False)]


def _clocks(moment: datetime) -> set[tuple[int, int, int]]:
    clocks = {(t.hour, t.minute, t.second) for t in (moment, moment.astimezone(UTC))}
    return clocks | {(h % 12 or 12, m, s) for h, m, s in clocks}


def _same(clocks: set[tuple[int, int, int]], hour: int, minute: int, second: str | None) -> bool:
    return any(hour == h and minute == m and (second is None or int(second) == s) for h, m, s in clocks)


def _clock_times(text: str, moment: datetime, seconds: bool = False) -> list[str]:
    clocks = _clocks(moment)
    return [f"clock time {match.group()!r}" for match in _CLOCK.finditer(text)
            if (match[4] is not None or not seconds)
            and _same(clocks, int(match[1]), int(match[3]), match[4])]


def _reprs(text: str, moment: datetime) -> list[str]:
    """datetime(…, 1, 55, 43…), struct_time's tm_hour=1, tm_min=55."""
    clocks = _clocks(moment)
    return [f"clock time in a repr {match.group()!r}" for match in _REPR.finditer(text)
            if _same(clocks, int(match[1] or match[4]), int(match[2] or match[5]), match[3])]


def _epochs(text: str, moment: datetime, stamps: bool) -> list[str]:
    """Digit runs read as an epoch value at each precision, and (`stamps`) as HHMMSS in a stamp."""
    seconds = int(moment.timestamp())
    hhmmss = {f"{t:%H%M%S}" for t in (moment, moment.astimezone(UTC))}
    found = []
    for match in _DIGITS.finditer(text):
        run = match.group()
        if len(run) >= 10 and int(run[:10]) == seconds:
            found.append(f"epoch {run!r}")
        if stamps and any(run == stamp or (run.endswith(stamp) and len(run) in (12, 14)) for stamp in hhmmss):
            found.append(f"clock time in a stamp {run!r}")
    return found


def _zone_leaks(text: str, moment: datetime) -> list[str]:
    hours = _hours(moment)
    zone = ZONES[hours]
    sign = "[+]" if hours > 0 else "[-\u2212]"
    offset = re.compile(rf"(?<![\w.:]){sign}0?{abs(hours)}(?::?00)?(?![\d:])")
    # (a number standing alone, a unit's letters after it, not a run of hex digits inside or at the start of
    # a digest or a pseudonym: 64 hex digits hold "300" between letters about once in 500, and a signed
    # episode holds hundreds of them)
    amounts = f"{abs(hours) * 3600}|{abs(hours) * 60}"
    units = re.compile(rf"(?<!\w){'-?' if hours < 0 else ''}(?:{amounts})(?![0-9A-Fa-f])")
    found = [f"offset {m.group()!r}" for m in offset.finditer(text)]
    found += [f"offset {m.group()!r}" for m in units.finditer(text)]
    found += [f"zone {name!r}" for name in (zone.key, zone.abbreviation, zone.long_name)
              if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)]
    return found


# -- what must stay ---------------------------------------------------------------------------------------

def look_alikes(moment: datetime, rng: random.Random, count: int = 60) -> list[str]:
    """`count` texts that look like times or offsets and are none of `moment`'s: they must survive."""
    forbidden = {f"{t:%H:%M}" for t in (moment, moment.astimezone(UTC))}
    hours = abs(_hours(moment))
    numbers = {str(hours * 3600), str(hours * 60), str(int(moment.timestamp()))}
    made: list[str] = []
    while len(made) < count:
        kind = rng.randrange(7)
        a, b, c = rng.randrange(0, 60), rng.randrange(0, 60), rng.randrange(1, 99999)
        text = [f"version {a % 9}.{b}.{c % 50}", f"listening on 127.0.0.1:{1024 + c}",
                f"elapsed 00:{a:02d}:{b:02d}", f"app.py:{c % 900 + 10}:{b + 10}", f"{c} bytes ({a}.{b} MiB)",
                f"in {a}.{b:02d}s", f"{c % 40} files changed, {a} insertions(+), {b} deletions(-)"][kind]
        if any(f in text for f in forbidden) or set(re.findall(r"\d+", text)) & numbers:
            continue
        if leaks(text, moment):
            continue
        made.append(text)
    return made

