"""The member's side of enrolment that needs no issuer (collector/consent/enrol.py): which URLs may carry a
secret, and which month a refresh fetches for."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collector.consent.authorisation import Authorisation
from collector.consent.enrol import (
    LOW_WATER,
    EnrolmentError,
    ahead_epoch,
    check_url,
    enrolment_path,
    refresh_epoch,
)
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch, take_key
from collector.home import Home


@pytest.mark.parametrize("url", ["https://issuer.example.org/", "http://127.0.0.1:8787", "http://[::1]:9",
                                 "http://localhost:8787"])
def test_a_secret_travels_over_https_or_to_loopback(url: str) -> None:
    assert check_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://issuer.example.org", "http://10.0.0.5:8787", "ftp://127.0.0.1",
                                 "issuer.example.org", "https://"])
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(EnrolmentError, match="https://HOST"):
        check_url(url)


def test_a_refresh_tops_up_this_month_until_it_has_enough_then_fetches_the_next(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    now = datetime(2026, 12, 30, 23, 0, tzinfo=UTC)
    assert refresh_epoch(home, now) == "2026-12"
    keys = []
    for _ in range(LOW_WATER):
        seed, public = new_key_pair()
        keys.append(EpisodeKey(public, seed, Authorisation("0" * 16, "2026-12", os.urandom(32), b"s")))
    store_batch(home, keys)
    assert refresh_epoch(home, now) == "2027-01"
    take_key(home, "2026-12")
    assert refresh_epoch(home, now) == "2026-12"


def test_next_months_keys_are_due_ahead_in_the_last_three_days_of_a_month_only(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    december = [datetime(2026, 12, day, hour, tzinfo=UTC) for day, hour in ((28, 23), (29, 0), (31, 23))]
    assert [ahead_epoch(home, now) for now in december] == [None, None, None]  # not enrolled: nobody to ask
    home.ensure(home.enrolment)
    enrolment_path(home).write_text("{}", encoding="utf-8")
    assert [ahead_epoch(home, now) for now in december] == [None, "2027-01", "2027-01"]
    assert ahead_epoch(home, datetime(2027, 2, 26, 12, tzinfo=UTC)) == "2027-03"  # 26, 27, 28 February
    assert ahead_epoch(home, datetime(2027, 2, 25, 12, tzinfo=UTC)) is None
    keys = []
    for _ in range(LOW_WATER):
        seed, public = new_key_pair()
        keys.append(EpisodeKey(public, seed, Authorisation("0" * 16, "2027-01", os.urandom(32), b"s")))
    store_batch(home, keys)
    assert ahead_epoch(home, december[2]) is None  # enough for January already
    take_key(home, "2027-01")
    assert ahead_epoch(home, december[2]) == "2027-01"
