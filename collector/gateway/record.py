"""The copy of the issuer's members record the gateway serves to upload runs.

Every unlinkable upload run checks the record (k members for the episode's month) before anything
leaves; fetched by each laptop from the issuer, it would show the issuer each contributor's address
seconds before an upload. The gateway fetches it instead, when it starts and then every
RECORD_REFRESH_S in a thread of its own, and serves the bytes as fetched: the record is signed by the
issuer, and each client checks that signature (and the issuer's identity) as it always did. A fetch that
fails keeps the last good copy and says so in one line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

RECORD_REFRESH_S = 300.0


class RecordCopy:
    def __init__(self, fetch: Callable[[], bytes], note: Callable[[str], None],
                 refresh_s: float = RECORD_REFRESH_S) -> None:
        self._fetch = fetch
        self._note = note
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._body: bytes | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="issuer-record", daemon=True)

    def start(self) -> None:
        """Fetch once now (the first answer waits for nothing), then every `refresh_s` seconds."""
        self.refresh()
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def current(self) -> bytes | None:
        with self._lock:
            return self._body

    def refresh(self) -> None:
        try:
            body = self._fetch()
        except Exception as exc:  # the issuer out of reach, or answering nonsense: keep the last copy
            self._note(f"the issuer's record could not be fetched ({type(exc).__name__}: {exc}); serving "
                       f"{'the last copy' if self.current() is not None else 'none'}")
            return
        with self._lock:
            self._body = body

    def _run(self) -> None:
        while not self._stopped.wait(self._refresh_s):
            self.refresh()
