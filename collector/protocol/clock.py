"""The one clock every step is stamped with: the unix epoch in integer milliseconds; and the UTC time of
day that receipts, revocations and dataset manifests are stamped with (`Clock`, replaceable in tests)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def now_ms() -> int:
    """The unix epoch in integer milliseconds: the `at` of every step sent."""
    return time.time_ns() // 1_000_000
