"""Uploads that do not link, on SeaweedFS with a drop credential (an identity allowed only Write: PutObject
and multipart; HeadObject, GetObject and List are refused with 403): `codetape upload` sends unlinkable
episodes without asking the store anything, each only once the random delay drawn at signing has passed
(`upload --now` says what it gives up), under keys and with metadata that name no contributor; the
revocation's record goes the same way, at a random time of its own."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

from collector.atomic import atomic_write
from collector.consent.enrol import LOW_WATER
from collector.daemon.drain import BackgroundUpload
from collector.due import due_at, due_path, revocation_name
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from tests.cli import codetape
from tests.cli import codetape as in_process
from tests.fixtures.make_golden import DIRECTORY
from tests.support.collector_harness import running, wait_for
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository
from tests.support.seaweed import SeaweedFS

LEAD_S = 10  # how far ahead the episode's time is moved once the collector runs


def test_unlinkable_episodes_go_through_a_write_only_credential_each_after_its_delay(
        issuer: Issuer, seaweed: SeaweedFS, tmp_path: Path) -> None:
    bucket = seaweed.bucket("drop-unlinkable")
    home = tmp_path / "home"
    issuer.enrol(home, "uploader", count=3)
    (home / "config.toml").write_text(f'[upload]\nto = "s3://{bucket}/team"\nendpoint_url = '
                                      f'"{seaweed.endpoint}"\n[consent]\nmode = "unlinkable"\n'
                                      "min_members = 1\n", encoding="utf-8")  # k: 1, one member
    ids = []
    for golden in ("full", "minimal"):
        episode = tmp_path / f"{golden}.ctape"
        shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
        episode_repository(home, tmp_path, open_episode(episode).header.workspace.root_name)
        done = in_process(home, "sign", str(episode), "--yes")
        assert done.returncode == 0, done.stderr
        ids.append(str(open_episode(episode).header.episode_id))
    start = utc_now()
    for eid in ids:
        at = due_at(Home(home), eid)
        assert at is not None and start - timedelta(minutes=5) <= at <= start + timedelta(hours=6)
    for eid in ids:  # both far ahead, so that neither is due by chance
        due_path(Home(home), eid).write_text((start + timedelta(hours=5)).isoformat() + "\n")

    done = codetape(home, "upload", env=seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    assert "2 unlinkable episodes wait for their random delay" in done.stdout
    assert "upload --now sends them now, and gives up that arrival times do not link them" in done.stdout
    assert seaweed.keys(bucket) == []

    due_path(Home(home), ids[0]).write_text((start - timedelta(seconds=1)).isoformat() + "\n")
    done = codetape(home, "upload", env=seaweed.drop_env())  # only the one whose time has come
    assert done.returncode == 0, done.stderr
    assert "1 unlinkable episode waits for its random delay" in done.stdout
    assert len(seaweed.keys(bucket)) == 2 and not due_path(Home(home), ids[0]).exists()

    done = codetape(home, "upload", "--now", env=seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    assert "--now: 1 unlinkable episode sent before the random delay drawn for each" in done.stdout
    keys = seaweed.keys(bucket)
    assert len(keys) == 4
    admin = seaweed.client(attempts=3)
    for key in keys:
        assert key.startswith("team/episodes/") and len(key.split("/")[-1].split(".")[0]) == 64
        assert admin.head_object(Bucket=bucket, Key=key).get("Metadata", {}) == {}
    signers = set()
    for key in keys:
        if key.endswith(".json"):
            manifest = json.loads(admin.get_object(Bucket=bucket, Key=key)["Body"].read())
            signers.add(manifest["signer_key_id"])
            assert set(manifest) == {"format", "sha256", "bytes", "episode_id", "signer_key_id",
                                     "statement_sha256", "codetape_version"}
    assert len(signers) == 2  # each episode's own key

    done = codetape(home, "revoke", ids[0], env=seaweed.drop_env())  # the record goes the same way, at its
    assert done.returncode == 0, done.stderr  # own random time
    assert sum(key.endswith(".revocation.json") for key in seaweed.keys(bucket)) == 0
    due_path(Home(home), revocation_name(ids[0])).write_text((utc_now() - timedelta(seconds=1)).isoformat())
    done = codetape(home, "upload", env=seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    assert sum(key.endswith(".revocation.json") for key in seaweed.keys(bucket)) == 1


def test_the_drop_credential_cannot_read_so_an_attributed_upload_fails_on_it(seaweed: SeaweedFS,
                                                                             tmp_path: Path) -> None:
    """The identity really is write-only: today's attributed upload asks HeadObject first, and is refused."""
    bucket = seaweed.bucket("drop-attributed")
    home = tmp_path / "home"
    assert in_process(home, "keys", "init", "--no-passphrase").returncode == 0
    episode = tmp_path / "minimal.ctape"
    shutil.copy(DIRECTORY / "minimal.ctape", episode)
    assert in_process(home, "sign", str(episode), "--yes").returncode == 0
    done = codetape(home, "upload", "--to", f"s3://{bucket}", env={
        **seaweed.drop_env(), "AWS_ENDPOINT_URL_S3": seaweed.endpoint})
    assert done.returncode == 1
    assert "head_object" in done.stderr and "403" in done.stderr, done.stderr


def test_the_collector_sends_a_waiting_episode_once_its_time_comes_without_upload_now(
        issuer: Issuer, tmp_path: Path) -> None:
    """A real collector: its run at start finds the unlinkable episode's time an hour ahead and sends
    nothing; the time is then moved to LEAD_S seconds ahead (written as signing writes it, which the
    collector sees as a change of the outbox), and once it has come the collector runs the upload by itself:
    the episode arrives, not before its time."""
    home, dest = tmp_path / "home", tmp_path / "dest"
    issuer.enrol(home, "patient", count=LOW_WATER + 1)
    (home / "config.toml").write_text(f'[upload]\nto = "{dest.as_uri()}"\n[consent]\nmode = "unlinkable"\n'
                                      "upload_delay_max_s = 3600\nmin_members = 1\n", encoding="utf-8")
    episode = tmp_path / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", episode)
    episode_repository(home, tmp_path, open_episode(episode).header.workspace.root_name)
    done = in_process(home, "sign", str(episode), "--yes")
    assert done.returncode == 0, done.stderr
    eid = str(open_episode(episode).header.episode_id)
    atomic_write(due_path(Home(home), eid), (utc_now() + timedelta(hours=1)).isoformat() + "\n")

    def delivered() -> bool:
        receipt = home / "receipts" / f"{eid}.json"
        return receipt.is_file() and bool(json.loads(receipt.read_text())["deliveries"])

    with running(home) as daemon:
        wait_for(lambda: "background upload done" in daemon.log_text(), timeout=120,
                 what="the collector's upload at start", detail=daemon.log_text)
        assert not delivered() and not list(dest.rglob("*.ctape"))  # its time is an hour ahead
        due = utc_now() + timedelta(seconds=LEAD_S)
        atomic_write(due_path(Home(home), eid), due.isoformat() + "\n")
        wait_for(delivered, timeout=LEAD_S + 120, what="the collector to send the episode once its time came",
                 detail=daemon.log_text)
    receipt = json.loads((home / "receipts" / f"{eid}.json").read_text())
    assert datetime.fromisoformat(receipt["deliveries"][0]["uploaded_at"]) >= due
    assert len(list(dest.rglob("*.ctape"))) == 1 and not due_path(Home(home), eid).exists()
    assert daemon.log_text().count("background upload started") >= 2


def test_a_collector_that_slept_past_an_episodes_time_runs_the_upload_at_its_first_tick_awake(
        tmp_path: Path) -> None:
    """The collector's wait for an unlinkable episode's time is on the wall clock: a machine suspended past
    it (the wall clock jumps, the monotonic clock stood still) runs the upload at its next tick. The upload
    itself is a stand-in process here; the test above runs the real one."""
    home = Home(tmp_path / "home")
    home.ensure(home.outbox)
    home.config.write_text(f'[upload]\nto = "{(tmp_path / "dest").as_uri()}"\n', encoding="utf-8")
    wall = [utc_now()]
    due_path(home, "waiting").write_text((wall[0] + timedelta(hours=2)).isoformat() + "\n")
    upload = BackgroundUpload(home, command=[sys.executable, "-c", "pass"], clock=lambda: wall[0])

    async def tick() -> bool:
        """One tick of the collector's loop; whether it ran the upload."""
        before = upload.task
        upload.poke()
        if upload.task is before:
            return False
        assert upload.task is not None
        await upload.task
        return True

    assert asyncio.run(tick())  # at start: runs, finds the episode's time ahead
    assert not asyncio.run(tick())  # nothing changed, its time not come
    wall[0] += timedelta(hours=3)  # asleep for three hours
    assert asyncio.run(tick())
    assert upload.failure is None
