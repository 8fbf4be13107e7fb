"""An autostarted collector that nobody uses exits. A client that found none running started it (an
editor's bridge, `codetape run`, the shell hook's recorder, a command); once none is connected, no episode
is open and nothing waits in the outbox (an upload running or to be tried again, an episode held back for
k members or a push, one waiting for its drawn time: any `.due`), for IDLE_EXIT_S, it stops as
`codetape collector stop` would, without the user's stop (the next client starts one again). `codetape
status` says so. A collector started otherwise (`--detach`, systemd, the foreground) runs until it is stopped.
`CODETAPE_COLLECTOR_IDLE_EXIT_S` sets another idle time (seconds; the tests' short one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from collector.held import count as held_count
from collector.home import Home

IDLE_EXIT_S = 600.0
IDLE_EXIT_ENV = "CODETAPE_COLLECTOR_IDLE_EXIT_S"
LOOK_S = 5.0  # the outbox is looked at this often at most while idle


def idle_exit_s(started: Mapping[str, Any] | None, environ: Mapping[str, str]) -> float | None:
    """After how long idle this collector exits, None when it does not (it was not autostarted)."""
    if started is None or started.get("how") != "autostart":
        return None
    try:
        return max(0.0, float(environ.get(IDLE_EXIT_ENV) or IDLE_EXIT_S))
    except ValueError:
        return IDLE_EXIT_S


def said(after_s: float) -> str:
    """What `codetape status` says of it."""
    minutes = after_s / 60
    span = f"{minutes:g} minutes" if minutes >= 1 else f"{after_s:g} s"
    return (f"it exits after {span} with no client connected, no episode open and nothing in the outbox "
            "(the next client starts it again)")


def nothing_to_upload(home: Home) -> bool:
    """Whether the outbox holds nothing that waits for a time or a count: no `.due` (an unlinkable item's
    drawn time, a revocation's, a key top-up's), no episode held back (collector/held.py). What waits for
    the background upload (daemon/drain.py) is its own `pending`."""
    try:
        names = os.listdir(home.outbox)
    except FileNotFoundError:
        return True
    except OSError:  # not known: something may wait
        return False
    return not any(name.endswith(".due") for name in names) and held_count(home) == 0


class IdleExit:
    """Decides when an autostarted collector has been idle long enough to exit."""

    def __init__(self, home: Home, after_s: float | None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.home = home
        self.after_s = after_s
        self._clock = clock
        self._since: float | None = None  # idle since (monotonic)
        self._looked = float("-inf")
        self._outbox_empty = False

    def due(self, *, busy: bool) -> bool:
        """Whether to exit now; `busy`: a client is connected, an episode is open or an upload is pending."""
        if self.after_s is None:
            return False
        now = self._clock()
        if busy:
            self._since = None
            return False
        if now - self._looked >= min(LOOK_S, self.after_s):
            self._looked, self._outbox_empty = now, nothing_to_upload(self.home)
        if not self._outbox_empty:
            self._since = None
            return False
        if self._since is None:
            self._since = now
        return now - self._since >= self.after_s
