"""How long a store that does not answer is waited for, and what is said meanwhile (issue 25).

Each attempt of a request waits up to `connect_timeout_s` for a connection, then up to `read_timeout_s`
for the store's answer (a PUT first waits botocore's one second for `100 Continue`); a store that stops
taking a body fails the attempt after `connect_timeout_s` (urllib3 sends it 16 KiB at a time, each under
the connect timeout). botocore makes `max_attempts` attempts in all (its `total_max_attempts`: its own
`max_attempts` counts retries only), backing off between them (standard mode: at most 1, 2, 4... s,
capped at 20). So a request to a stalled store fails after `give_up_after` seconds at most: 3 x (5 + 1 +
20) + 1 + 2 = 81 s with the defaults. An upload run waits for one such request per episode in flight, side
by side, and starts no other once the store is out of reach.

`Patience.watching` wraps each request: once a request has had no answer for `connect_timeout_s`, one
line says so, once per store, with the bound. Its timer thread ends with the request (collector/timer.py),
so `codetape upload` exits with no thread of it still running.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from collector.timer import when_slow
from schemas.config import UploadSettings

EXPECT_CONTINUE_S = 1  # botocore waits this long for `100 Continue` before sending a PUT's body
BACKOFF_CAP_S = 20  # botocore's longest pause between attempts


def give_up_after(upload: UploadSettings) -> int:
    """Seconds after which a request to a store that accepts connections and never answers has failed,
    every attempt and pause between them included (an upper bound)."""
    connect, read = upload.connect_timeout_s, upload.read_timeout_s
    attempt = connect + EXPECT_CONTINUE_S + max(connect, read)
    backoff = sum(min(1 << number, BACKOFF_CAP_S) for number in range(upload.max_attempts - 1))
    return upload.max_attempts * attempt + backoff


def client_options(upload: UploadSettings) -> dict[str, Any]:
    """The timeouts and retries of botocore's `Config`, from the `[upload]` settings."""
    return {"retries": {"mode": upload.retry_mode, "total_max_attempts": upload.max_attempts},
            "connect_timeout": upload.connect_timeout_s, "read_timeout": upload.read_timeout_s}


class Patience:
    """The requests to one store, watched: `say` hears one line the first time one waits too long."""

    def __init__(self, endpoint: str, upload: UploadSettings, say: Callable[[str], None] | None) -> None:
        self.endpoint, self.upload, self.say = endpoint, upload, say
        self._lock = threading.Lock()
        self._said = False

    @property
    def attempts(self) -> str:
        count = self.upload.max_attempts
        return f"{count} attempt{'s' * (count != 1)}"

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Around one request (all its attempts)."""
        if self.say is None:
            yield
            return
        with when_slow(self.upload.connect_timeout_s, self._waited):
            yield

    def _waited(self) -> None:
        with self._lock:
            if self._said or self.say is None:
                return
            self._said = True
        self.say(f"waiting for {self.endpoint}: no answer for {self.upload.connect_timeout_s} s (given up on "
                 f"after {give_up_after(self.upload)} s at most)")
