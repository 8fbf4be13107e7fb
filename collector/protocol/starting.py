"""A collector being started: whoever starts one holds a shared lock on `collector.starting` beside the
socket until it listens (a client autostarting it, `codetape collector --detach`, the shell hook's recorder
until its first records are sent), so that a pytest ending meanwhile, which never starts one itself, waits
for it instead of losing its test run (collector/sources/pytest_path/codetape_pytest.py probes the lock).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from collector.home import Home
from collector.platform.locks import lock

STARTING_FILE = "collector.starting"  # the pytest plugin's name for it too (a test keeps them equal)


@contextlib.contextmanager
def starting(home: Home) -> Iterator[None]:
    """Say that this process is starting `home`'s collector while the block runs. Shared: several may
    start at once (and one process twice: the recorder, then its client's autostart). Nothing on Windows,
    where no pytest reaches a Unix socket from Python."""
    folder = home.socket.parent
    if sys.platform == "win32":
        yield
        return
    if folder == home.run:
        home.ensure(folder)
    try:
        fd = os.open(folder / STARTING_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # the socket's own folder (/tmp/codetape-UID/) is not made yet: nobody waits there
        yield
        return
    try:
        lock(fd, shared=True)
        yield
    finally:
        os.close(fd)
