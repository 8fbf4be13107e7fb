"""The issuer's database (collector/issuer/members.py): a secret works once, only hashes are kept, a
request beyond the month's quota is refused whole, members are counted per month."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from collector.issuer.errors import IssuerError, Refused
from collector.issuer.members import add_member, enrol, member_of, members_per_epoch, open_db, reserve


def test_a_secret_trades_once_for_a_credential_and_only_hashes_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "issuer.sqlite3"
    with open_db(path) as db:
        secret = add_member(db, "alice", 10, "2026-11-25")
        with pytest.raises(IssuerError, match="already a member named 'alice'"):
            add_member(db, "alice", 10, "2026-11-25")
        member, credential = enrol(db, secret, "2026-11-25")
        assert member.name == "alice" and member.quota == 10
        with pytest.raises(Refused, match="unknown or was used already"):
            enrol(db, secret, "2026-11-25")
        assert member_of(db, credential) == member
        with pytest.raises(Refused, match="unknown member credential") as refused:
            member_of(db, secret)
        assert refused.value.status == 401
    data = path.read_bytes()
    assert secret.encode() not in data and credential.encode() not in data
    assert b"alice" in data


def test_the_quota_is_per_member_and_month_and_a_request_beyond_it_counts_nothing(tmp_path: Path) -> None:
    with open_db(tmp_path / "issuer.sqlite3") as db:
        alice, _ = enrol(db, add_member(db, "alice", 5, "2026-11-25"), "2026-11-25")
        bob, _ = enrol(db, add_member(db, "bob", 5, "2026-11-25"), "2026-11-25")
        assert reserve(db, alice, "2026-11", 3) == 3
        refusal = "alice may take 2 more of 5 authorisations for 2026-11, asked for 3"
        with pytest.raises(Refused, match=refusal):
            reserve(db, alice, "2026-11", 3)
        assert reserve(db, alice, "2026-11", 2) == 5
        assert reserve(db, alice, "2026-12", 5) == 5
        assert reserve(db, bob, "2026-11", 1) == 1
        assert members_per_epoch(db) == {"2026-11": 2, "2026-12": 1}


def test_concurrent_requests_at_the_quota_never_pass_it_together(tmp_path: Path) -> None:
    path = tmp_path / "issuer.sqlite3"
    with open_db(path) as db:
        member, _ = enrol(db, add_member(db, "alice", 5, "2026-11-25"), "2026-11-25")
    outcomes: list[str] = []

    def ask() -> None:
        with open_db(path) as db:
            try:
                reserve(db, member, "2026-11", 1)
                outcomes.append("signed")
            except Refused:
                outcomes.append("refused")

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["signed"] * 5
    with open_db(path) as db:
        assert db.execute("SELECT count FROM authorised").fetchall() == [(5,)]


def test_a_secret_never_reads_as_a_command_line_option() -> None:
    from collector.issuer.members import new_token

    assert not any(new_token().startswith("-") for _ in range(2000))
