"""Issue 68, item 2: k members before the bytes leave, through a real issuer, the real CLI and SeaweedFS.

The employer holds the bucket, so a month with fewer than k members must not reach it at all: each
member's `codetape upload` fetches the issuer's signed record and holds an unlinkable episode until that
record counts k (default 5) members for its month; `status` names each held item and the count, and her
running collector counts them (what the editors' status line shows); once k is reached, held episodes leave
by the release rule, one an upload run."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

from collector.due import due, due_path
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from tests.cli import codetape as in_process
from tests.fixtures.make_golden import DIRECTORY
from tests.support.collector_harness import codetape, opt_in, start_daemon
from tests.support.issuer import Issuer
from tests.support.seaweed import SeaweedFS
from tests.waiting import wait_for


def repository(path: Path) -> Path:
    """A real git repository the episodes are signed for (unlinkable signing scrubs with what it knows)."""
    path.mkdir()
    who = ["-c", "user.name=Team", "-c", "user.email=team@example.org"]
    for command in (["init", "-q", "-b", "main"], [*who, "commit", "-q", "--allow-empty", "-m", "start"]):
        subprocess.run(["git", "-C", str(path), *command], check=True, capture_output=True)
    return path


def member(issuer: Issuer, seaweed: SeaweedFS, bucket: str, tmp_path: Path, name: str,
           goldens: tuple[str, ...], repo: Path) -> tuple[Path, list[str]]:
    """`name` enrolled, her config.toml (unlinkable, the team's drop), and one signed episode per golden."""
    home = tmp_path / name
    issuer.enrol(home, name, count=3)
    opt_in(repo, home=home)
    config = f'[upload]\nto = "s3://{bucket}/team"\nendpoint_url = "{seaweed.endpoint}"\n'
    (home / "config.toml").write_text(config + '[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    ids = []
    for golden in goldens:
        episode = tmp_path / f"{name}-{golden}.ctape"
        shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
        done = in_process(home, "sign", str(episode), "--yes", "--workspace", str(repo))
        assert done.returncode == 0, done.stderr
        ids.append(str(open_episode(episode).header.episode_id))
    return home, ids


def come(home: Path, ids: list[str]) -> None:
    """Each item's time is now (as if its random delay had passed)."""
    for eid in ids:
        due_path(Home(home), eid).write_text(f"{(utc_now() - timedelta(seconds=1)).isoformat()}\n900\n")


def upload(home: Path, seaweed: SeaweedFS) -> str:
    done = codetape(home, "upload", env=seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_episode_reaches_the_bucket_before_its_month_counts_k_members(
        issuer: Issuer, seaweed: SeaweedFS, tmp_path: Path) -> None:
    bucket = seaweed.bucket("drop-k-members")
    repo = repository(tmp_path / "repo")
    alice, alices = member(issuer, seaweed, bucket, tmp_path, "alice", ("full", "minimal"), repo)
    bob, bobs = member(issuer, seaweed, bucket, tmp_path, "bob", ("minimal",), repo)
    epoch = utc_now().strftime("%Y-%m")

    for home, ids in ((alice, alices), (bob, bobs)):  # the issuer's record counts 2 members this month
        come(home, ids)
        said = upload(home, seaweed)
        for eid in ids:
            assert f"{eid[:8]} waits until the issuer counts 5 members for {epoch} (it counts 2)" in said
            timed = due(Home(home), eid)  # it looks again at a time of its own
            assert timed is not None and timed.at > utc_now()
    assert seaweed.keys(bucket) == []
    status = json.loads(codetape(alice, "status", "--json").stdout)["outbox"]["held_for_members"]
    assert [(item["episode_id"], item["members"], item["needed"]) for item in status] == [
        (eid, 2, 5) for eid in sorted(alices)]
    text = codetape(alice, "status").stdout
    assert "2 unlinkable episodes held until the issuer's record counts enough members for its month" in text
    assert f"  {alices[0][:8]}  {epoch}: 2 of 5 members" in text
    daemon = start_daemon(alice, env=seaweed.drop_env())  # her collector: its background upload holds them
    try:
        def counted() -> bool:
            with daemon.client() as client:  # what the editors' status line shows
                return bool(client.request("status")["held"] == 2)

        wait_for(counted, what="her collector counting her two held episodes",
                 detail=lambda: daemon.log.read_text(encoding="utf-8")[-2000:])
    finally:
        daemon.stop()
    assert seaweed.keys(bucket) == []

    for name in ("carol", "dan", "erin"):  # three more take authorisations: the month counts 5
        member(issuer, seaweed, bucket, tmp_path, name, ("minimal",), repo)
    come(alice, alices)
    said = upload(alice, seaweed)
    assert "waits until" not in said
    assert len([key for key in seaweed.keys(bucket) if key.endswith(".ctape")]) == 1  # one a run
    assert "1 whose time had come drew a new one: a run sends at most one" in said
    assert "held until" not in codetape(alice, "status").stdout
    come(alice, alices)
    upload(alice, seaweed)
    assert len([key for key in seaweed.keys(bucket) if key.endswith(".ctape")]) == 2
