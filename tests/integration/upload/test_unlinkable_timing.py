"""When things leave in unlinkable mode, through the real CLI, a real issuer and a real collector: episodes
whose random times passed while the laptop was closed do not all leave in its first run (issue 52: three
drawn 65 to 162 minutes apart arrived within one second), one run sends at most one, and `revoke --all`
signs each record with the day only and leaves each to a random time of its own, which the collector's
background upload keeps."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from collector.atomic import atomic_write
from collector.consent.enrol import LOW_WATER
from collector.due import due, due_at, due_path, revocation_name
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from collector.upload.revocation import check_revocation
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.support.collector_harness import running, wait_for
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository

GOLDENS = ("full", "minimal", "unicode")
LEAD_S = 10  # how far ahead a record's time is moved once the collector runs


def contributor(issuer: Issuer, home: Path, name: str, dest: Path, goldens: tuple[str, ...]) -> list[str]:
    """`home` enrolled as `name` (keys to spare: no top-up), uploading to `dest` unlinkably, with `goldens`
    signed into its outbox; their ids."""
    issuer.enrol(home, name, count=LOW_WATER + len(goldens))
    home.joinpath("config.toml").write_text(f'[upload]\nto = "{dest.as_uri()}"\n[consent]\nmode = '
                                            '"unlinkable"\nmin_members = 1\n', encoding="utf-8")  # k: 1
    ids = []
    for golden in goldens:
        episode = home.parent / f"{name}-{golden}.ctape"
        shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
        episode_repository(home, home.parent, open_episode(episode).header.workspace.root_name)
        done = codetape(home, "sign", str(episode), "--yes")
        assert done.returncode == 0, done.stderr
        ids.append(str(open_episode(episode).header.episode_id))
    return ids


def set_due(home: Path, name: str, seconds_from_now: float) -> None:
    """The item's time moved, its bound kept (as a run would find it)."""
    found = due(Home(home), name)
    assert found is not None, name
    at = utc_now() + timedelta(seconds=seconds_from_now)
    atomic_write(due_path(Home(home), name), f"{at.isoformat()}\n{found.bound_s}\n")


def test_episodes_due_while_the_laptop_was_closed_leave_one_a_run_at_fresh_times(issuer: Issuer,
                                                                                  tmp_path: Path) -> None:
    home, dest = tmp_path / "home", tmp_path / "dest"
    ids = contributor(issuer, home, "sleeper", dest, GOLDENS)
    for eid, minutes in zip(ids, (162, 97, 32), strict=True):  # drawn 65 minutes apart, all while closed
        set_due(home, eid, -60 * minutes)

    opened = utc_now()
    done = codetape(home, "upload")  # the first run after the laptop opens
    assert done.returncode == 0, done.stderr
    assert "3 unlinkable episodes wait for their random delay" in done.stdout
    assert "3 whose time had come drew a new one" in done.stdout
    assert not list(dest.rglob("*.ctape"))
    for eid in ids:
        at = due_at(Home(home), eid)
        assert at is not None and opened <= at <= utc_now() + timedelta(hours=3)  # half the 6 h bound

    set_due(home, ids[0], -2)  # two whose times have just come (the collector runs at the earlier)
    set_due(home, ids[1], -1)
    set_due(home, ids[2], 3600)
    done = codetape(home, "upload")
    assert done.returncode == 0, done.stderr
    assert len(list(dest.rglob("*.ctape"))) == 1  # at most one a run
    assert due_at(Home(home), ids[0]) is None
    later = due_at(Home(home), ids[1])
    assert later is not None and later > utc_now() - timedelta(seconds=5)  # drew a new time: not next run
    assert "2 unlinkable episodes wait for their random delay" in done.stdout


def test_revoke_all_signs_the_day_only_and_each_record_leaves_at_its_own_time(issuer: Issuer,
                                                                             tmp_path: Path) -> None:
    home, dest = tmp_path / "home", tmp_path / "dest"
    ids = contributor(issuer, home, "withdrawer", dest, GOLDENS[:2])
    done = codetape(home, "upload", "--now")
    assert done.returncode == 0, done.stderr
    assert len(list(dest.rglob("*.ctape"))) == 2

    done = codetape(home, "revoke", "--all", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("its record leaves on its own, at a random time") == 2
    assert done.stdout.endswith("revoked 2 of 2 episodes\n")
    assert not list(dest.rglob("*.revocation.json"))  # nothing written together
    start = utc_now()
    for eid in ids:
        record = (Home(home).receipts / f"{eid}.revocation.json").read_bytes()
        revoked_at = check_revocation(record).revoked_at
        assert (revoked_at.hour, revoked_at.minute, revoked_at.second, revoked_at.microsecond) == (0, 0, 0, 0)
        assert revoked_at.date() == start.date() or revoked_at.date() == (start - timedelta(days=1)).date()
        at = due_at(Home(home), revocation_name(eid))
        assert at is not None and start - timedelta(minutes=5) <= at <= start + timedelta(hours=6)
        assert f"on {revoked_at.date().isoformat()}" in done.stdout
        assert not due_path(Home(home), eid).exists()  # the episode's own upload time goes with it

    set_due(home, revocation_name(ids[0]), -2)
    set_due(home, revocation_name(ids[1]), -1)
    done = codetape(home, "upload")
    assert done.returncode == 0, done.stderr
    written = list(dest.rglob("*.revocation.json"))
    assert len(written) == 1  # one a run, like episodes
    assert check_revocation(written[0].read_bytes()).episode_id == open_episode(
        Home(home).outbox / f"{ids[0]}.ctape").header.episode_id
    assert due_at(Home(home), revocation_name(ids[0])) is None

    done = codetape(home, "revoke", ids[1], "--now")  # the contributor's choice: at once
    assert done.returncode == 0, done.stderr
    assert "already revoked" in done.stdout and "record written at" in done.stdout
    assert len(list(dest.rglob("*.revocation.json"))) == 2
    assert due_at(Home(home), revocation_name(ids[1])) is None


def test_the_collector_writes_a_revocation_record_once_its_time_comes(issuer: Issuer, tmp_path: Path) -> None:
    """A real collector: its run at start finds the record's time an hour ahead and writes nothing; moved
    to LEAD_S seconds ahead, the collector's background upload writes it then, not before."""
    home, dest = tmp_path / "home", tmp_path / "dest"
    (eid,) = contributor(issuer, home, "patient-withdrawer", dest, GOLDENS[:1])
    assert codetape(home, "upload", "--now").returncode == 0
    done = codetape(home, "revoke", eid)
    assert done.returncode == 0, done.stderr
    set_due(home, revocation_name(eid), 3600)

    def named() -> bool:
        receipt = json.loads((Home(home).receipts / f"{eid}.json").read_text())
        return bool(receipt["revoked"]["written_to"])

    def written() -> bool:  # the receipt names the destination, then the record's time goes (revocation.py)
        return named() and due_at(Home(home), revocation_name(eid)) is None

    with running(home) as daemon:
        wait_for(lambda: "background upload done" in daemon.log_text(), timeout=120,
                 what="the collector's upload at start", detail=daemon.log_text)
        assert not named() and not list(dest.rglob("*.revocation.json"))
        set_due(home, revocation_name(eid), LEAD_S)
        due_then = due_at(Home(home), revocation_name(eid))
        wait_for(written, timeout=LEAD_S + 120, what="the collector to write the record once its time came",
                 detail=daemon.log_text)
    assert due_then is not None and utc_now() >= due_then
    assert len(list(dest.rglob("*.revocation.json"))) == 1
    assert due_at(Home(home), revocation_name(eid)) is None
