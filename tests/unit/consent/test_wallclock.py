"""Wall-clock times with an offset cut to the day in unlinkable episodes (issue 52, item 2)."""

from __future__ import annotations

import pytest

from collector.consent.wallclock import day_of_wall_clock


@pytest.mark.parametrize(("said", "kept"), [
    ("Date:   Thu Nov 26 08:47:47 2026 +0100", "Date:   Thu Nov 26 2026"),
    ("Date:   Thu Nov  6 08:47:47 2026 -0500", "Date:   Thu Nov  6 2026"),
    ("Date: Thu, 26 Nov 2026 08:47:47 +0100", "Date: Thu, 26 Nov 2026"),
    ("Date:   2026-11-26 08:47:47 +0100", "Date:   2026-11-26"),
    ("at 2026-11-26T08:47:47+01:00 and 2026-11-26T07:47:47Z", "at 2026-11-26 and 2026-11-26"),
    ("Thu Nov 26 08:47:47 CET 2026", "Thu Nov 26 2026"),  # `date`: the zone's name
    ("took 08:47 minutes", "took 08:47 minutes"),  # no offset: nothing of the zone
    ("2026-11-26 08:47:47", "2026-11-26 08:47:47"),
])
def test_a_time_of_day_with_an_offset_keeps_its_day_only(said: str, kept: str) -> None:
    assert day_of_wall_clock(said) == kept
