"""`codetape run`'s signal forwarding (collector/sources/shell/passthrough.py) is in place before the
command starts: a signal that comes while it starts (the command may already be running, and be seen
running, before Popen returns) is held and sent to it once it is there; if it never starts, the signal is
raised again on us with the handler we had. CI once lost a SIGTERM sent between the two, and `codetape
run` died, leaving the command running."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

import pytest

from collector.sources.shell.passthrough import _forwarding

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals sent to ourselves")


class Child:
    """What the forwarder needs of a Popen: the signals sent to it."""

    def __init__(self) -> None:
        self.got: list[int] = []

    def send_signal(self, signum: int) -> None:
        self.got.append(signum)


@pytest.fixture
def ours() -> Iterator[list[int]]:
    """SIGUSR1 and SIGUSR2 handled by a handler of the test's own while it runs: what it saw."""
    seen: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: seen.append(signum))
                for sig in (signal.SIGUSR1, signal.SIGUSR2)}
    yield seen
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def test_a_signal_before_the_child_is_there_is_sent_to_it_once_it_is(ours: list[int]) -> None:
    child = Child()
    with _forwarding(None) as forwarder:
        os.kill(os.getpid(), signal.SIGUSR1)  # (handled before kill returns: it is our own main thread)
        assert child.got == [] and forwarder.held == [signal.SIGUSR1]
        forwarder.started(child)  # type: ignore[arg-type]  # (a Popen in all it needs)
        assert child.got == [signal.SIGUSR1]
        os.kill(os.getpid(), signal.SIGUSR2)
    assert child.got == [signal.SIGUSR1, signal.SIGUSR2] and ours == []


def test_a_signal_held_for_a_child_that_never_started_is_ours_again(ours: list[int]) -> None:
    with pytest.raises(OSError), _forwarding(None):
        os.kill(os.getpid(), signal.SIGUSR2)
        raise OSError("not found")  # as Popen raises for a command that cannot be started
    assert ours == [signal.SIGUSR2]
