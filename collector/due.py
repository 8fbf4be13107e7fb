"""Unlinkable mode's random delay: each episode leaves on its own, at a time drawn when it was signed, so
the times episodes arrive at the destination do not tell the receiver which came from one person.

When an episode is signed in unlinkable mode, `schedule` draws its time uniformly (a CSPRNG) between now
and `[consent] upload_delay_max_s` seconds later (6 h by default) and writes it, as an ISO UTC time on
one line, to `outbox/<episode id>.due` (0600). `codetape upload` sends an episode only once its time has
come (`upload --now` sends it at once and says what that gives up); the background upload (the
collector) runs again at the earliest time still ahead (`next_due`). The file goes once the episode is
delivered. Here, beside home.py, because both the upload and the daemon read it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from collector.atomic import atomic_write
from collector.home import Home

SUFFIX = ".due"
_MAX_FILE = 256


def due_path(home: Home, episode_id: str) -> Path:
    return home.outbox / f"{episode_id}{SUFFIX}"


def schedule(home: Home, episode_id: str, max_delay_s: int, now: datetime) -> datetime:
    """Draw the episode's upload time and write it; returns it."""
    at = now + timedelta(seconds=secrets.randbelow(max_delay_s + 1)) if max_delay_s > 0 else now
    atomic_write(due_path(home, episode_id), at.isoformat() + "\n")
    return at


def due_at(home: Home, episode_id: str) -> datetime | None:
    """When the episode may leave; None when it has no delay (attributed, or delivered)."""
    return _read(due_path(home, episode_id))


def delivered(home: Home, episode_id: str) -> None:
    due_path(home, episode_id).unlink(missing_ok=True)


def next_due(outbox: Path, now: datetime) -> datetime | None:
    """The earliest upload time still ahead of `now` in `outbox`, or None."""
    try:
        paths = list(outbox.glob(f"*{SUFFIX}"))
    except OSError:
        return None
    ahead = [at for at in map(_read, paths) if at is not None and at > now]
    return min(ahead, default=None)


def _read(path: Path) -> datetime | None:
    try:
        with open(path, "rb") as handle:
            text = handle.read(_MAX_FILE).decode("ascii", "replace").strip()
    except OSError:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None
