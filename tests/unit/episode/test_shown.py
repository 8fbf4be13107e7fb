"""`codetape episodes` reads the shown fields of a journal's header without building the header model when
they are plainly well formed, and through `EpisodeHeader` otherwise: same values, same damage (issue 14)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from collector.episode.shown import Shown, shown, shown_plainly
from schemas import EpisodeHeader
from schemas.common import plain, validated
from tests.fixtures.make_golden import FULL_HEADER


def dumped(**changes: Any) -> dict[str, Any]:
    header = plain(FULL_HEADER)
    header.update(changes)
    return header


def test_a_written_header_reads_plainly_as_the_model_reads_it() -> None:
    header = dumped()
    assert shown_plainly(header) == Shown.of(validated(header, EpisodeHeader))


@pytest.mark.parametrize(("changes", "plain"), [
    ({"episode_id": str(FULL_HEADER.episode_id).upper()}, False),  # valid, not the collector's form
    ({"started_at": 1772359200}, False),  # seconds since the epoch: the model reads them
    ({"started_at": "2026-03-01T10:00:00.5+00:00"}, True),
])
def test_either_way_the_values_are_the_model_s(changes: dict[str, Any], plain: bool) -> None:
    header = dumped(**changes)
    assert (shown_plainly(header) is not None) == plain
    assert shown(header) == Shown.of(validated(header, EpisodeHeader))


@pytest.mark.parametrize("changes", [
    {"episode_id": "not-a-uuid"}, {"started_at": "2026-03-01T10:00:00+02:00"},
    {"started_at": "2026-02-30T10:00:00Z"}, {"workspace": {"root_name": 7}}, {"workspace": None},
])
def test_damaged_headers_say_what_the_model_says(changes: dict[str, Any]) -> None:
    header = dumped(**changes)
    assert shown_plainly(header) is None
    with pytest.raises(msgspec.ValidationError):
        shown(header)
