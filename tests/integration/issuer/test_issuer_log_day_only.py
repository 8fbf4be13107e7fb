"""The issuer's log says the day, never the time of day (issue 52): it knows whose credential asks for keys,
so an authorisation stamped to the second would say when a member was at work, fetching. A real issuer
process, a member enrolling and fetching a batch, a refusal: every line of issuer.log starts with the UTC
day and holds no time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.consent.unlinkable import epoch_of
from collector.protocol.clock import utc_now
from tests.cli import codetape
from tests.support.issuer import Issuer

TIME_OF_DAY = re.compile(r"\d{2}:\d{2}")


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    server = Issuer(tmp_path / "base").init()
    try:
        yield server.start()
    finally:
        server.stop()


def test_every_line_of_the_issuers_log_says_the_day_only(issuer: Issuer, tmp_path: Path) -> None:
    before = utc_now().date()
    issuer.enrol(tmp_path / "home", "daytime", quota=6, count=5)
    over = codetape(tmp_path / "home", "enroll", "--refresh", "--count", "2", "--month",
                    epoch_of(utc_now()))  # beyond the quota: refused
    assert over.returncode == 1
    after = utc_now().date()

    lines = (issuer.directory / "issuer.log").read_text(encoding="utf-8").splitlines()
    said = [line.split(" ", 1)[1] for line in lines]
    assert len(said) == 4 and said[0].startswith("serving issuer ") and said[1] == "enrolled member daytime"
    assert said[2].startswith("authorised 5 for member daytime in ") and said[3].startswith(
        "refused /v1/authorise: quota: daytime may take 1 more"), lines
    for line in lines:
        day = line.split(" ", 1)[0]
        assert day in (before.isoformat(), after.isoformat()), line
        assert not TIME_OF_DAY.search(line), line
