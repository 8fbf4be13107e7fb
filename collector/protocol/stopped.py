"""Recording stopped by the user: `codetape collector stop` leaves `run/stopped` in CODETAPE_HOME, and
nothing starts the collector again on its own (an editor's bridge, the shell hook, `codetape run`, an
agent's hook) until the user runs `codetape collector` or `codetape resume`, which remove it."""

from __future__ import annotations

import contextlib
import os

from collector.errors import StoppedByYou
from collector.home import Home

MARKER = "stopped"  # in CODETAPE_HOME/run/; collector/sources/agents/payloads.py names it too
AGAIN = "codetape: recording again (you had stopped it with `codetape collector stop`)"
STOPPED = ("recording is stopped: you ran `codetape collector stop`; "
           "`codetape resume` (or `codetape collector`) records again")


def stopped_by_you(home: Home) -> bool:
    """Whether the user stopped recording and has not started it again."""
    return (home.run / MARKER).exists()


def refuse_if_stopped(home: Home) -> None:
    """StoppedByYou when the user stopped recording: what would start the collector on its own asks first."""
    if stopped_by_you(home):
        raise StoppedByYou(STOPPED)


def mark_stopped(home: Home) -> None:
    """Remember that the user stopped recording (before the collector is asked to stop, so that no client
    starts it again in between)."""
    home.ensure(home.run)
    fd = os.open(home.run / MARKER, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)


def clear_stopped(home: Home) -> bool:
    """The user starts recording again; True when it had been stopped."""
    with contextlib.suppress(FileNotFoundError):
        (home.run / MARKER).unlink()
        return True
    return False
