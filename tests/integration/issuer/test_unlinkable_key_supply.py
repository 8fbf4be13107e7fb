"""Episode keys come by themselves, through the real CLI and a real issuer process, without `enroll
--refresh`, and never at a signing the issuer could then date: a signing that leaves fewer than LOW_WATER
unused keys for the month (or falls in a month's last days) fetches nothing, it gives the top-up a random
time of its own, and the upload run at that time fetches the batch; a signing that finds no key (a new
month) fetches a batch before it, as it must. With the issuer out of reach, each says so in one line: the
signing that could go ahead is done, the one that needed a key is refused with the episode left unsigned
(and no upload time drawn for it), the top-up's run warns, and nothing is signed with the contributor's
own key."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collector.atomic import atomic_write
from collector.consent.authorisation import next_epoch
from collector.consent.enrol import LOW_WATER
from collector.consent.episode_keys import unused_counts
from collector.consent.statement import parse_statement, unpack_payload
from collector.consent.unlinkable import epoch_of
from collector.due import TOP_UP, due_at, due_path
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository

BATCH = 20  # a top-up fetches a batch of 20 (enrol.BATCH), as `enroll --help` says


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    server = Issuer(tmp_path / "issuer-base").init()
    try:
        yield server.start()
    finally:
        server.stop()


def an_episode(tmp_path: Path, name: str, golden: str = "full.ctape") -> Path:
    path = tmp_path / name
    shutil.copy(DIRECTORY / golden, path)
    return path


def enrol(issuer: Issuer, home: Path, name: str, *extra: str, quota: int = 100) -> None:
    secret = issuer.add_member(name, quota)
    done = codetape(home, "enroll", issuer.url, f"--secret={secret}", *extra)
    assert done.returncode == 0, done.stderr
    episode_repository(home, home.parent, "pager")  # the golden episodes' repository, which signing asks
    # k: 1 (one member: what leaves here is held for the issuer's count of members otherwise)
    assert codetape(home, "config", "set", "consent.min_members", "1").returncode == 0


def authorised_for(path: Path) -> str:
    consent = open_episode(path).consent
    assert consent is not None
    authorisation = parse_statement(unpack_payload(consent)[1]).reviewer.authorisation
    assert authorisation is not None
    return authorisation.epoch


def errors(stderr: str) -> str:
    """A command's stderr without the signing's warnings (commits it could not check are pushed, ...):
    what it says about keys and the issuer."""
    lines = stderr.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("codetape: warning: "))


def taken(issuer: Issuer) -> str:
    """`issuer member list --json`: how many authorisations each member took a month."""
    members = codetape(issuer.home, "issuer", "member", "list", "--dir", str(issuer.directory), "--json")
    assert members.returncode == 0, members.stderr
    return members.stdout


def run_the_top_up(home: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The upload run at the top-up's time: its time moved to a second ago, every episode's hours ahead
    (so that none leaves in this run by chance)."""
    now = utc_now()
    for path in Home(home).outbox.glob("*.due"):
        at = now - timedelta(seconds=1) if path.name == f"{TOP_UP}.due" else now + timedelta(hours=5)
        atomic_write(path, f"{at.isoformat()}\n{6 * 3600}\n")
    return codetape(home, "upload", "--to", (tmp_path / "drop").as_uri())


def test_a_signing_that_leaves_few_keys_fetches_nothing_the_upload_at_the_top_ups_own_time_does(
        issuer: Issuer, tmp_path: Path) -> None:
    home, month = tmp_path / "home", epoch_of(utc_now())
    enrol(issuer, home, "low", "--count", str(LOW_WATER))
    signing = utc_now()
    done = codetape(home, "sign", str(an_episode(tmp_path, "one.ctape")), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    assert errors(done.stderr) == ""
    assert "more episode keys are fetched from the issuer at a random time of their own" in done.stdout
    assert unused_counts(Home(home)) == {month: LOW_WATER - 1}
    assert f'"{month}": {LOW_WATER}' in taken(issuer)  # the issuer heard nothing at the signing
    at = due_at(Home(home), TOP_UP)
    assert at is not None and signing - timedelta(minutes=5) <= at <= utc_now() + timedelta(hours=6)

    done = run_the_top_up(home, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (f"fetched {BATCH} more episode keys authorised for {month} from the issuer (fewer than "
            f"{LOW_WATER} were left)") in done.stdout
    assert "1 unlinkable episode waits for its random delay" in done.stdout  # not in the top-up's run
    assert not list(tmp_path.joinpath("drop").rglob("*.ctape"))
    assert unused_counts(Home(home)) == {month: LOW_WATER - 1 + BATCH}
    assert f'"{month}": {LOW_WATER + BATCH}' in taken(issuer)
    assert not due_path(Home(home), TOP_UP).exists()


def test_a_signing_that_finds_no_key_for_the_month_fetches_one_first(issuer: Issuer, tmp_path: Path) -> None:
    home, month = tmp_path / "home", epoch_of(utc_now())
    enrol(issuer, home, "ahead", "--count", "3", "--month", next_epoch(month))  # none for this month
    assert unused_counts(Home(home)) == {next_epoch(month): 3}
    episode = an_episode(tmp_path, "first-of-the-month.ctape")
    done = codetape(home, "sign", str(episode), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    signed = next((home / "outbox").glob("*.ctape"))
    assert authorised_for(signed) == month
    assert unused_counts(Home(home)) == {month: BATCH - 1, next_epoch(month): 3}


def test_with_the_issuer_out_of_reach_each_signing_says_so_in_one_line_and_nothing_is_lost(
        issuer: Issuer, tmp_path: Path) -> None:
    home, month = tmp_path / "home", epoch_of(utc_now())
    enrol(issuer, home, "offline", "--count", "1")
    issuer.stop()
    first = codetape(home, "sign", str(an_episode(tmp_path, "first.ctape")), "--unlinkable", "--yes")
    assert first.returncode == 0, first.stderr  # the key it needed was there: signed, the issuer not asked
    assert errors(first.stderr) == "" and due_at(Home(home), TOP_UP) is not None
    assert len(list((home / "outbox").glob("*.ctape"))) == 1
    unreachable = f"cannot reach the issuer at {issuer.url}/v1/record: "

    second = an_episode(tmp_path, "second.ctape", "minimal.ctape")
    done = codetape(home, "sign", str(second), "--unlinkable", "--yes")
    assert done.returncode == 1
    assert errors(done.stderr).count("\n") == 1, done.stderr
    assert errors(done.stderr).startswith(f"codetape: no unused episode key authorised for {month}, and none "
                                          f"could be fetched: {unreachable}"), done.stderr
    assert errors(done.stderr).endswith("nothing was signed and the episode stays: sign it again once the "
                                        "issuer answers (or, if you choose to be named, sign it "
                                        "attributed)\n")
    assert open_episode(second).consent is None
    outbox = sorted(path.name for path in (home / "outbox").iterdir())
    assert len(outbox) == 5 and not any(name.startswith(str(open_episode(second).header.episode_id))
                                        for name in outbox), outbox  # one episode, its .due and .origin
    # (what the upload looks for on the remote branches, issue 68 item 1), its .remotes (the scope that
    # governs it at upload, issue 95), the top-up's .due
    assert not (home / "keys").exists()  # no key of the contributor's own was made or used

    done = run_the_top_up(home, tmp_path)
    assert done.returncode == 0, done.stderr  # a warning: the upload is none the worse
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"codetape: 0 unused episode keys left for {month}, and no more could be "
                                  f"fetched: {unreachable}"), done.stderr
    assert done.stderr.endswith("nothing is lost: the next signing sets another time to ask (or: codetape "
                                "enroll --refresh)\n")
    assert due_at(Home(home), TOP_UP) is None


def last_day_of_this_month() -> datetime:
    now = utc_now()
    first_of_next = datetime(int(next_epoch(epoch_of(now))[:4]), int(next_epoch(epoch_of(now))[5:]), 1,
                             tzinfo=UTC)
    return (first_of_next - timedelta(days=1)).replace(hour=12)


def test_in_a_months_last_days_a_signing_has_next_months_keys_fetched_ahead_at_their_own_time(
        issuer: Issuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, month = tmp_path / "home", epoch_of(utc_now())
    following = next_epoch(month)
    enrol(issuer, home, "ahead-of-the-month")  # a batch of 20 for this month
    mid = codetape(home, "sign", str(an_episode(tmp_path, "mid.ctape")), "--unlinkable", "--yes")
    assert mid.returncode == 0, mid.stderr  # the 15th (tests/conftest.py): nothing ahead
    assert unused_counts(Home(home)) == {month: BATCH - 1}
    assert "random time" not in mid.stdout and due_at(Home(home), TOP_UP) is None

    monkeypatch.setattr("collector.consent.enrol.utc_now", last_day_of_this_month)
    late = codetape(home, "sign", str(an_episode(tmp_path, "late.ctape", "minimal.ctape")), "--unlinkable",
                    "--yes")
    assert late.returncode == 0, late.stderr
    assert errors(late.stderr) == ""
    assert "more episode keys are fetched from the issuer at a random time of their own" in late.stdout
    assert f'"{following}"' not in taken(issuer)  # not at the signing
    done = run_the_top_up(home, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"fetched {BATCH} episode keys authorised for {following} ahead of the new month" in done.stdout
    assert unused_counts(Home(home)) == {month: BATCH - 2, following: BATCH}
    assert f'"{following}": {BATCH}' in taken(issuer)

    again = codetape(home, "sign", str(an_episode(tmp_path, "later.ctape", "unicode.ctape")), "--unlinkable",
                     "--yes")
    assert again.returncode == 0, again.stderr
    assert "random time" not in again.stdout  # next month's keys are there: one batch ahead, not one each
    assert due_at(Home(home), TOP_UP) is None
    assert unused_counts(Home(home)) == {month: BATCH - 3, following: BATCH}


def test_fetching_ahead_with_the_issuer_out_of_reach_says_so_and_signs(
        issuer: Issuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, month = tmp_path / "home", epoch_of(utc_now())
    enrol(issuer, home, "ahead-offline")
    issuer.stop()
    monkeypatch.setattr("collector.consent.enrol.utc_now", last_day_of_this_month)
    done = codetape(home, "sign", str(an_episode(tmp_path, "late.ctape")), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    assert errors(done.stderr) == ""
    done = run_the_top_up(home, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"codetape: next month's episode keys ({next_epoch(month)}) could not be "
                                  f"fetched ahead: cannot reach the issuer at {issuer.url}/v1/record: ")
    assert done.stderr.endswith("the first signing of the new month fetches them if the issuer answers "
                                "then\n")
    assert unused_counts(Home(home)) == {month: BATCH - 1}
