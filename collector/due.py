"""Unlinkable mode's random times: what leaves this machine on a member's behalf (an episode, the record of
its revocation, a request for more episode keys) leaves on its own, at a time drawn for it, so that the
times things arrive at the store or the issuer do not tell which came from one person, or when she signed.

    outbox/<name>.due    (0600) the time, ISO UTC, on the first line; the bound it was drawn within
                         (seconds) on the second. <name>: an episode id, `<episode id>.revocation`
                         (`revocation_name`), or `key-top-up` (TOP_UP)

`schedule` draws a time uniformly (a CSPRNG) between now and `[consent] upload_delay_max_s` seconds later
(6 h by default). `release` decides what one run of `codetape upload` sends; the collector runs that
upload again when the earliest time still ahead comes (`next_due`):

- at most one timed item leaves in a run, and none in a run that sends something untimed (an attributed
  episode, which names its signer, or anything drawn within a bound of 0: `upload_delay_max_s = 0`);
- an item found more than GRACE_S past its time (the machine was asleep, or nothing ran) does not leave:
  it draws a fresh time within half its last bound (6 h, 3 h, 1.5 h, 45 min, 22.5 min, then FLOOR_S,
  15 min), so the first run after a laptop opens sends nothing that waited; once its bound is down to
  FLOOR_S it may leave even late, so a laptop that is never open long still sends each item, by the sixth
  opening after its time, one per run;
- every other item whose time has come draws a fresh time the same way: after a run, every timed item
  still here has a time ahead, so a backlog never leaves in a burst of runs one straight after another.

Here, beside home.py, because the upload, the revocation, the signing and the daemon read it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from collector.atomic import atomic_write
from collector.home import Home

SUFFIX = ".due"
TOP_UP = "key-top-up"  # more episode keys from the issuer (collector/consent/enrol.py)
REVOCATION = ".revocation"
GRACE_S = 120  # later than this past its time, an item was not sent when it was due: it draws again
FLOOR_S = 15 * 60  # a fresh draw's bound halves down to this, and an item at it may leave late
DEFAULT_BOUND_S = 6 * 3600  # a file that names no bound (written before bounds were kept)
_MAX_FILE = 256

Draw = Callable[[int], int]  # a uniform integer in [0, n): secrets.randbelow, or a test's


@dataclass(frozen=True)
class Due:
    """When an item may leave, and the bound its time was drawn within."""

    at: datetime
    bound_s: int


@dataclass(frozen=True)
class Release:
    """What one run sends, of the items it was given: `send`, by name; `waiting`, (name, time) of the others
    with a time ahead (after any fresh draw); `redrawn`, how many drew a fresh time in this run."""

    send: list[str]
    waiting: list[tuple[str, datetime]]
    redrawn: int


def revocation_name(episode_id: str) -> str:
    return f"{episode_id}{REVOCATION}"


def due_path(home: Home, name: str) -> Path:
    return home.outbox / f"{name}{SUFFIX}"


def schedule(home: Home, name: str, max_delay_s: int, now: datetime, *, draw: Draw = secrets.randbelow
             ) -> datetime:
    """Draw the item's time within `max_delay_s` of `now` and write it; returns it."""
    return _draw(home, name, max_delay_s, now, draw)


def due(home: Home, name: str) -> Due | None:
    """The item's time and bound; None when it has none (attributed, or gone)."""
    return _read(due_path(home, name))


def due_at(home: Home, name: str) -> datetime | None:
    """When the item may leave; None when it has no delay (attributed, or delivered)."""
    found = due(home, name)
    return None if found is None else found.at


def delivered(home: Home, name: str) -> None:
    due_path(home, name).unlink(missing_ok=True)


def scheduled(home: Home, ending: str) -> list[str]:
    """The names of the items with a time whose name ends with `ending`, sorted."""
    try:
        paths = sorted(home.outbox.glob(f"*{ending}{SUFFIX}"))
    except OSError:
        return []
    return [path.name.removesuffix(SUFFIX) for path in paths]


def next_due(outbox: Path, now: datetime) -> datetime | None:
    """The earliest time still ahead of `now` in `outbox`, or None."""
    try:
        paths = list(outbox.glob(f"*{SUFFIX}"))
    except OSError:
        return None
    ahead = [found.at for found in map(_read, paths) if found is not None and found.at > now]
    return min(ahead, default=None)


def release(home: Home, names: Iterable[str], now: datetime, *, at_once: bool = False,
            draw: Draw = secrets.randbelow) -> Release:
    """Which of `names` leave in this run (the module's docstring says the rules); every timed item that
    does not leave and whose time has come draws a fresh one. `at_once` (`upload --now`): all of them."""
    untimed: list[str] = []
    ready: list[tuple[datetime, str, int]] = []
    again: list[tuple[str, int]] = []
    waiting: list[tuple[str, datetime]] = []
    for name in names:
        found = due(home, name)
        if found is None or found.bound_s == 0 or at_once:
            untimed.append(name)
        elif found.at > now:
            waiting.append((name, found.at))
        elif found.at >= now - timedelta(seconds=GRACE_S) or found.bound_s <= FLOOR_S:
            ready.append((found.at, name, found.bound_s))
        else:
            again.append((name, found.bound_s))
    ready.sort(key=lambda item: (item[0], item[1]))
    send = untimed if untimed or not ready else [ready.pop(0)[1]]
    again += [(name, bound) for _, name, bound in ready]
    for name, bound in again:
        waiting.append((name, _draw(home, name, halved(bound), now, draw)))
    return Release(send, sorted(waiting, key=lambda item: (item[1], item[0])), len(again))


def halved(bound_s: int) -> int:
    """The bound of the fresh draw after one within `bound_s`: half of it, not below FLOOR_S (nor above
    `bound_s`)."""
    return max(min(bound_s, FLOOR_S), bound_s // 2)


def _draw(home: Home, name: str, bound_s: int, now: datetime, draw: Draw) -> datetime:
    at = now + timedelta(seconds=draw(bound_s + 1)) if bound_s > 0 else now
    home.ensure(home.outbox)
    atomic_write(due_path(home, name), f"{at.isoformat()}\n{bound_s}\n")
    return at


def _read(path: Path) -> Due | None:
    try:
        with open(path, "rb") as handle:
            lines = handle.read(_MAX_FILE).decode("ascii", "replace").split()
    except OSError:
        return None
    try:
        at = datetime.fromisoformat(lines[0])
        bound = int(lines[1]) if len(lines) > 1 else DEFAULT_BOUND_S
    except (ValueError, IndexError):
        return None
    return Due(at, max(bound, 0)) if at.tzinfo is not None else None
