"""The build's allocator settings: `give_back` returns the C heap's free pages (glibc)."""

from __future__ import annotations

import sys

import pytest

from collector.dataset.engines.allocator import give_back


def _anonymous_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim and /proc: Linux")
def test_the_free_pages_between_live_blocks_go_back() -> None:
    # 64 MiB in blocks malloc keeps in its heap (2 KiB each), one in 64 kept alive: freed, the rest stays
    # mapped between them (glibc trims only its heap's top)
    blocks = [bytes([n % 251]) * 2048 for n in range(32 * 1024)]
    kept = blocks[::64]
    del blocks
    before = _anonymous_kib()
    assert give_back()
    after = _anonymous_kib()
    assert before - after > 32 * 1024, (before, after)  # at least half of the 63 MiB freed
    assert all(len(block) == 2048 for block in kept)
