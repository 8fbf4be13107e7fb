"""The one clock every step is stamped with: the unix epoch in integer milliseconds."""

from __future__ import annotations

import time


def now_ms() -> int:
    """The unix epoch in integer milliseconds: the `at` of every step sent."""
    return time.time_ns() // 1_000_000
