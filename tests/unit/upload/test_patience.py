"""The watch on each request to a store (collector/upload/patience.py)."""

from __future__ import annotations

import threading

from collector.upload.patience import Patience
from schemas.config import UploadSettings


def test_no_watch_outlives_its_request() -> None:
    """Each watched request starts a timer thread; none is left once the requests end. A daemon thread
    still running when the interpreter finalizes can crash it (CPython issue 110052), and `codetape
    upload` exits right after its last request."""
    said: list[str] = []
    patience = Patience("http://127.0.0.1:9", UploadSettings(), said.append)
    before = set(threading.enumerate())
    for _ in range(50):
        with patience.watching():
            pass
    assert set(threading.enumerate()) == before
    assert said == []  # no request waited
