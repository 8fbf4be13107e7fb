"""--origin and --origin-share (collector/dataset/check/origins.py): which episodes a data team keeps."""

from __future__ import annotations

import pytest

from collector.dataset.check.origins import parse_origins
from collector.dataset.check.reasons import Rejected
from collector.errors import UsageError


def test_an_episode_is_kept_when_enough_of_what_it_wrote_is_of_the_origins_kept() -> None:
    human = parse_origins("typed,paste", None)
    human.check({"typed": 90, "paste": 10}, {})
    human.check({}, {})  # an episode that wrote nothing: nothing of anyone else's
    with pytest.raises(Rejected) as refused:
        human.check({"typed": 90, "ai_completion": 10}, {})
    assert refused.value.reason == "origin"
    assert refused.value.detail.startswith("90% of the 100 characters it wrote are of paste, typed")
    assert "ai_completion 10%" in refused.value.detail
    parse_origins("typed,paste", 0.9).check({"typed": 90, "ai_completion": 10}, {})


def test_what_was_written_to_disk_counts_by_whose_it_was() -> None:
    with pytest.raises(Rejected, match="agent 75%"):
        parse_origins("typed", 0.5).check({"typed": 100}, {"agent": 300})
    parse_origins("typed,agent", None).check({"typed": 100, "agent": 5}, {"agent": 300})
    with pytest.raises(Rejected, match="unknown 100%"):  # (rounded: 7,880 of 7,884)
        parse_origins("typed", None).check({"typed": 4}, {"unknown": 7880})


def test_the_manifest_records_the_filter_and_bad_values_are_usage_errors() -> None:
    assert parse_origins(" typed, paste ", None).describe() == "paste,typed"
    assert parse_origins("typed", 0.9).describe() == "typed@0.9"
    for listed, share in (("typing", None), ("", None), ("typed", 0.0), ("typed", 1.5)):
        with pytest.raises(UsageError):
            parse_origins(listed, share)
