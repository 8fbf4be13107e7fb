"""The clocks codetape reads, each written once.

    now_ms()        the unix epoch in integer milliseconds: the `at` of every step sent
    monotonic_ms()  integer milliseconds that never go back: how long something took (`duration_ms`)
    utc_now()       the UTC time of day that signatures, keys, receipts, revocations and dataset manifests
                    are stamped with (`Clock`, replaceable in tests)
"""

from __future__ import annotations

import time
from collections.abc import Callable

TYPE_CHECKING = False  # datetime is not loaded by every client at start-up (~1 ms: `codetape run`)
if TYPE_CHECKING:
    from datetime import datetime

Clock = Callable[[], "datetime"]


def utc_now() -> datetime:
    from datetime import UTC, datetime  # deferred: see TYPE_CHECKING above

    return datetime.now(UTC)


def now_ms() -> int:
    """The unix epoch in integer milliseconds: the `at` of every step sent."""
    return time.time_ns() // 1_000_000


def monotonic_ms() -> int:
    """A monotonic clock in integer milliseconds (its zero means nothing): subtract two readings for how
    long something took, unaffected by the wall clock being set."""
    return time.monotonic_ns() // 1_000_000
