"""`codetape run`'s terminal: a pseudo-terminal standing in for ours, its window size, the foreground group.

POSIX only: Windows' console has ConPTY instead (docs/platforms.md); there `has_pty` is False and
`codetape run` copies its command's output through pipes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable

has_pty = sys.platform != "win32"


def open_pty() -> tuple[int, int]:
    """(master, slave) of a new pseudo-terminal whose output is passed raw: no newline translation, so the
    bytes reach our terminal as the child wrote them."""
    if sys.platform == "win32":
        raise OSError("no pseudo-terminal on Windows")
    # POSIX only
    import pty
    import termios

    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


def copy_window_size(target: int) -> None:
    """Give the pseudo-terminal `target` our terminal's (stdout's) window size."""
    if sys.platform == "win32":
        return
    # POSIX only
    import fcntl
    import termios

    with contextlib.suppress(OSError):
        size = fcntl.ioctl(1, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(target, termios.TIOCSWINSZ, size)


def on_resize(handler: Callable[[int, object], None]) -> Callable[[], None]:
    """Call `handler` when our terminal's window changes size (SIGWINCH); returns what restores the
    previous handler."""
    if sys.platform == "win32":
        return lambda: None
    previous = signal.signal(signal.SIGWINCH, handler)

    def restore() -> None:
        signal.signal(signal.SIGWINCH, previous)

    return restore


def in_terminal_foreground() -> bool:
    """Whether our process group is the terminal's foreground group (it gets Ctrl-C from the terminal)."""
    if sys.platform == "win32":
        return False
    try:
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False
