"""How many processes a build without --workers checks its episodes in
(collector/dataset/engines/local.py)."""

from __future__ import annotations

from collector.dataset.engines.local import POOL_BYTES, POOL_EPISODES, pool_size


def test_a_small_build_is_checked_in_this_process() -> None:
    assert pool_size(0, 0, 2) == 1
    assert pool_size(POOL_EPISODES - 1, POOL_BYTES - 1, 8) == 1


def test_enough_episodes_or_bytes_get_a_worker_per_core() -> None:
    assert pool_size(POOL_EPISODES, 1000, 2) == 2
    assert pool_size(POOL_EPISODES * 10, POOL_BYTES * 10, 8) == 8


def test_a_few_large_episodes_get_a_worker_each_at_most() -> None:
    assert pool_size(3, POOL_BYTES, 8) == 3
    assert pool_size(1, POOL_BYTES * 100, 8) == 1


def test_one_core_is_one_process() -> None:
    assert pool_size(POOL_EPISODES * 10, POOL_BYTES * 10, 1) == 1
