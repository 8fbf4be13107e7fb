"""Issue 68, Done when, end to end: through a real issuer, a running collector and a local S3-compatible
store (SeaweedFS, each member with the write-only drop credential). Five members (k 5) sign unlinkably in
clones of one bare repository; olga pushes her work afterwards. Her collector's background upload (the
daemon runs `codetape upload` when it starts) holds her episode: nothing of hers reaches the bucket, the
collector's own status answer (what the editors' status line shows) counts it, `codetape status` says why
and the review lists it with the choice. The four others arrive; she sends hers anyway and it arrives, and
what was kept of its origin goes."""

from __future__ import annotations

import json
from pathlib import Path

from collector.episode import open_episode
from collector.home import Home
from collector.reconstruct.keyframes import workspace_after
from collector.upload.asked import held_items
from collector.upload.pushed_since import origin_path
from tests.cli import codetape_process
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.upload.test_pushed_after_signing import come, company, member
from tests.support.collector_harness import git, start_daemon
from tests.support.issuer import Issuer
from tests.support.seaweed import SeaweedFS
from tests.waiting import wait_for


def episodes_in(seaweed: SeaweedFS, bucket: str) -> int:
    return len([key for key in seaweed.keys(bucket) if key.endswith(".ctape")])


def test_five_members_one_pushes_after_signing_held_by_her_collector_the_others_reach_the_bucket(
        issuer: Issuer, seaweed: SeaweedFS, tmp_path: Path) -> None:
    bucket, bare = seaweed.bucket("drop-pushed-after-signing"), company(tmp_path)
    names = ("olga", "pat", "quinn", "rosa", "sam")  # k 5 (the default): the month counts 5
    members = [member(issuer, tmp_path, bare, tmp_path / "unused", name, "minimal" if index else "full")
               for index, name in enumerate(names)]
    for home, _clone, _eid, _said in members:  # to the team's bucket instead
        config = f'[upload]\nto = "s3://{bucket}/team"\nendpoint_url = "{seaweed.endpoint}"\n'
        (home / "config.toml").write_text(config + '[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    (olga, clone, hers, _said), others = members[0], members[1:]
    for path, text in workspace_after(open_episode(DIRECTORY / "full.ctape")).files().items():
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text(text, encoding="utf-8", newline="")
        git(clone, "add", path)
    git(clone, "commit", "-q", "-m", "pager")
    git(clone, "push", "-q", "origin", "main")  # the end of her day

    come(olga, hers)
    daemon = start_daemon(olga, env=seaweed.drop_env())  # its background upload runs as it starts
    try:
        def counted() -> bool:
            with daemon.client() as client:
                return bool(client.request("status")["held"] == 1)

        wait_for(counted, what="her collector counting her held episode",
                 detail=lambda: daemon.log.read_text(encoding="utf-8")[-2000:])
        assert episodes_in(seaweed, bucket) == 0
        status = codetape_process(olga, "status").stdout
        assert (f"  {hers[:8]}  the text of NOTES.md, src/pager.py, tests/test_paginate.py: on a "
                f"remote-tracking branch of {clone.resolve()} since you signed it") in status, status
        [asked] = held_items(Home(olga))  # what `codetape review` lists, with the choice
        assert asked.episode_id == hers and asked.pushed

        for home, _clone, eid, _said in others:  # theirs is not pushed: each goes at its time
            come(home, eid)
            done = codetape_process(home, "upload", env=seaweed.drop_env())
            assert done.returncode == 0, done.stderr
            assert "is held" not in done.stdout and "waits until" not in done.stdout, done.stdout
        assert episodes_in(seaweed, bucket) == 4

        done = codetape_process(olga, "upload", "--send-anyway", hers[:8], env=seaweed.drop_env())
        assert done.returncode == 0, done.stderr

        def nothing_held() -> bool:
            with daemon.client() as client:
                return bool(client.request("status")["held"] == 0)

        wait_for(nothing_held, what="her collector counting nothing held once she chose")
        come(olga, hers)
        done = codetape_process(olga, "upload", env=seaweed.drop_env())
        assert done.returncode == 0, done.stderr
        assert episodes_in(seaweed, bucket) == 5
        assert not origin_path(Home(olga), hers).exists()  # uploaded: its origin is not kept
        outbox = json.loads(codetape_process(olga, "status", "--json").stdout)["outbox"]
        assert outbox["held_for_pushed"] == [] and outbox["held_for_members"] == []
        # one background run per change of the outbox, not one after another while something is held (a run
        # that rewrote its held list started the next)
        runs = daemon.log.read_text(encoding="utf-8").count("background upload started")
        assert runs <= 6, daemon.log.read_text(encoding="utf-8")[-3000:]
    finally:
        daemon.stop()
