"""The retention date a share signs (collector/policy/sharing.py): the contributor's, else the managed
policy's; later than the managed policy's or already past is refused; the terms carry it and the managed
policy's hash; a changed `.codetape.toml` may make it earlier, never later (stricter.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from collector.policy.managed import Managed
from collector.policy.sharing import SigningPolicy, merge
from collector.policy.stricter import stricter
from schemas.common import plain
from schemas.settings import ManagedPolicy, SharingPolicy, WorkspaceSettings

TODAY = date(2026, 11, 25)
MANAGED = Managed(Path("/etc/codetape/policy.toml"), "ab" * 32, ManagedPolicy(retain_until=date(2027, 6, 30)))


def test_the_contributors_date_else_the_managed_policys_is_signed() -> None:
    assert SigningPolicy().retained() is None and SigningPolicy().retention_problem(TODAY) is None
    assert SigningPolicy(managed=MANAGED).retained() == date(2027, 6, 30)
    mine = SigningPolicy(managed=MANAGED, retain_until=date(2027, 1, 1))
    assert mine.retained() == date(2027, 1, 1) and mine.retention_problem(TODAY) is None
    terms = mine.terms()
    assert (terms.retain_until, terms.managed_policy_sha256) == (date(2027, 1, 1), "ab" * 32)
    assert "managed_policy_sha256" not in plain(SigningPolicy().terms())


def test_later_than_the_managed_policys_or_past_is_refused_today_is_not() -> None:
    later = SigningPolicy(managed=MANAGED, retain_until=date(2027, 7, 1)).retention_problem(TODAY)
    assert later == ("retain until 2027-07-01 is later than the managed policy (/etc/codetape/policy.toml) "
                     "allows: 2027-06-30 at the latest")
    past = SigningPolicy(retain_until=date(2026, 11, 24)).retention_problem(TODAY)
    assert past is not None and "2026-11-24 is already past (today is 2026-11-25 UTC)" in past
    assert SigningPolicy(retain_until=TODAY).retention_problem(TODAY) is None
    policy_past = SigningPolicy(managed=MANAGED).retention_problem(date(2027, 7, 1))
    assert policy_past is not None and policy_past.startswith("the managed policy's retention date")


def test_the_earlier_of_both_files_dates_is_the_contributors() -> None:
    merged = merge(SharingPolicy(retain_until=date(2027, 3, 1)), SharingPolicy(retain_until=date(2027, 2, 1)),
                   None)
    assert merged.retain_until == date(2027, 2, 1)
    assert merge(SharingPolicy(), SharingPolicy(retain_until=date(2027, 2, 1)), None).retain_until == \
        date(2027, 2, 1)
    assert merge(None, None, None).retain_until is None


def test_a_changed_workspace_file_may_make_the_date_earlier_never_later() -> None:
    def settings(when: date | None) -> WorkspaceSettings:
        return WorkspaceSettings(policy=SharingPolicy(retain_until=when))

    assert stricter(settings(date(2027, 1, 1)), settings(date(2028, 1, 1))).policy.retain_until == \
        date(2027, 1, 1)
    assert stricter(settings(date(2027, 1, 1)), settings(None)).policy.retain_until == date(2027, 1, 1)
    assert stricter(settings(None), settings(date(2026, 12, 1))).policy.retain_until == date(2026, 12, 1)
