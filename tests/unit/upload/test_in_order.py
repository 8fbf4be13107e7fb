"""A listing put in order: in memory up to its limit, through a scratch SQLite file beyond it, the same
order as `sorted` either way (non-ASCII names and a name that was not UTF-8 on disk included)."""

from __future__ import annotations

import random

from collector.upload.in_order import in_order

NAMES = ["b.json", "a.ctape", "a.json", "Z", "é", "\udcff", "a.revocation.json", "ab", "€", "\U0001f600", "a"]


def _listing(count: int) -> list[tuple[str, int]]:
    rng = random.Random(78)
    names = {f"{rng.getrandbits(64):016x}.{rng.choice(['ctape', 'json'])}" for _ in range(count)}
    found = [(name, len(name)) for name in sorted(names | set(NAMES))]
    rng.shuffle(found)
    return found


def test_a_short_listing_is_sorted_in_memory() -> None:
    found = _listing(20)
    assert list(in_order(found, most=len(found) + 1)) == sorted(found)


def test_a_long_listing_comes_back_in_the_same_order_through_its_scratch_file() -> None:
    found = _listing(5000)
    assert list(in_order(found, most=100)) == sorted(found)


def test_a_listing_of_exactly_the_limit_goes_through_the_file_and_loses_nothing() -> None:
    found = _listing(50)
    assert list(in_order(found, most=len(found))) == sorted(found)
