"""Unlinkable mode end to end (issue 38, "Done when"): a real issuer process, three members in three homes,
SeaweedFS with one shared write-only drop credential. Each member enrols, signs generated sessions in
unlinkable mode (config.toml) and uploads them; a receiver builds with --trust-issuer. The build accepts
every member's episodes and rejects, each with its reason, a forged authorisation (an unenrolled person
holding the drop credential), an over-quota member's episode under an authorisation moved to a new key,
a reused key and an unenrolled (attributed) signer. A revocation by its contributor purges the episode from
every snapshot; one forged by another member is ignored.

And the adversarial receiver: for every column of every table, every header and statement field, and
every uploaded object's key, metadata and manifest, no value is shared by all of one member's episodes
and by no other member's. In the step tables a column counts where it tags the episode (one value in all
of the episode's rows: signer_key_id, month, licence, ...); a column whose values vary row by row is the
content itself (a line typed, a step number), which the issue's threat model states can still identify.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from collector.consent.enrol import enrolment_path
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch, stored_keys, used_keys
from collector.consent.keys import encode_public
from collector.consent.statement import unpack_payload
from collector.episode import open_episode
from collector.home import Home
from collector.upload.revocation import signed_message
from schemas.common import plain
from schemas.consent import ConsentReviewer
from schemas.upload import RevocationRecord, RevocationStatement
from tests.cli import codetape
from tests.cli import codetape as in_process
from tests.support.dataset_helpers import (
    file_sha256,
    pinned_rows,
    session,
    snapshot_files,
)
from tests.support.issuer import Issuer
from tests.support.linkage import (
    duck_at,
    episode_repository,
    seen_by_episode,
    signer,
    singled_out,
    unlinkable_member,
)
from tests.support.seaweed import SeaweedFS

# The same work for everyone (generated sessions of the same seeds): whatever could still tell one member's
# episodes from another's is something codetape added, not the content.
SEEDS = {"alice": (0, 3, 6), "bob": (0, 3, 6), "carol": (0, 3)}


@dataclass
class Team:
    issuer: Issuer
    seaweed: SeaweedFS
    base: Path
    bucket: str
    record: Path
    receiver: Path
    episodes: dict[str, list[Path]] = field(default_factory=dict)  # member -> signed episodes (outbox)

    @property
    def source(self) -> str:
        return f"s3://{self.bucket}/team"

    def home(self, name: str) -> Path:
        return self.base / name

    def build(self, out: Path) -> str:
        done = codetape(self.receiver, "dataset", "build", self.source, "-o", str(out), "--trust-issuer",
                        str(self.record), "--min-contributors", "3", "--workers", "1", env=self.seaweed.env())
        assert done.returncode == 0, done.stderr
        return done.stdout


def sign_and_upload(home: Path, team: Team, seeds: tuple[int, ...]) -> list[Path]:
    signed = []
    for seed in seeds:
        unsigned = session(Home(home), seed)
        header = open_episode(unsigned).header
        eid = header.episode_id
        episode_repository(home, home.parent / f"{home.name}-src", header.workspace.root_name)
        done = in_process(home, "sign", str(unsigned), "--yes")
        assert done.returncode == 0, done.stderr
        assert "signed unlinkable" in done.stdout
        signed.append(Home(home).outbox / f"{eid}.ctape")
    done = codetape(home, "upload", env=team.seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    return signed


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, seaweed: SeaweedFS) -> Iterator[Team]:
    base = tmp_path_factory.mktemp("team")
    issuer = Issuer(base).init()
    try:
        issuer.start()
        world = Team(issuer, seaweed, base, seaweed.bucket("unlinkable-team"), base / "ISSUER.pub",
                     base / "receiver")
        unlinkable_member(world.receiver, world.source, world.seaweed.endpoint)
        for name in SEEDS:
            unlinkable_member(world.home(name), world.source, world.seaweed.endpoint)
        issuer.enrol(world.home("alice"), "alice", quota=10, count=4)
        issuer.enrol(world.home("bob"), "bob", quota=10, count=4)
        secret = issuer.add_member("carol", 2)
        over = in_process(world.home("carol"), "enroll", issuer.url, f"--secret={secret}", "--count", "3")
        assert over.returncode == 1 and over.stderr.count("\n") == 1
        assert "quota: carol may take 2 more of 2 authorisations" in over.stderr
        done = in_process(world.home("carol"), "enroll", "--refresh", "--count", "2")
        assert done.returncode == 0, done.stderr
        for name, seeds in SEEDS.items():
            world.episodes[name] = sign_and_upload(world.home(name), world, seeds)
        issuer.export(world.record)
        yield world
    finally:
        issuer.stop()


def bad_episodes(team: Team) -> dict[str, str]:
    """The episodes the build must refuse, each made and uploaded as its maker could: episode id -> reason."""
    made: dict[str, str] = {}
    mallory = team.home("mallory")  # not a member, but she has the shared drop credential
    unlinkable_member(mallory, team.source, team.seaweed.endpoint)
    enrolment = json.loads(enrolment_path(Home(team.home("alice"))).read_text(encoding="utf-8"))
    Home(mallory).enrolment.mkdir(parents=True)  # she knows where the issuer is (its record is public), so
    enrolment_path(Home(mallory)).write_text(json.dumps(  # her upload finds the month's k members as anyone's
        {**enrolment, "credential": "mallory-has-none"}), encoding="utf-8")
    seed, public = new_key_pair()
    real = stored_keys(Home(team.home("alice")))[0].authorisation
    forged = type(real)(real.issuer, real.epoch, bytes(32), bytes(len(real.signature)))
    store_batch(Home(mallory), [EpisodeKey(public, seed, forged)])
    made[str(sign_and_upload(mallory, team, (40,))[0].name.removesuffix(".ctape"))] = "unauthorised"

    carol = Home(team.home("carol"))  # over her quota: her used authorisation moved to a key of her own
    refused = in_process(carol.root, "sign", str(session(carol, 41)), "--yes")
    assert refused.returncode == 1 and "no unused episode key authorised" in refused.stderr
    seed, public = new_key_pair()
    store_batch(carol, [EpisodeKey(public, seed, stored_keys(carol)[0].authorisation)])
    made[sign_and_upload(carol.root, team, (42,))[0].name.removesuffix(".ctape")] = "unauthorised"

    bob = Home(team.home("bob"))  # his client lost the used-key ledger: a key signs a second episode
    (bob.enrolment / "used").unlink()
    made[sign_and_upload(bob.root, team, (43,))[0].name.removesuffix(".ctape")] = "key_reused"

    dave = team.home("dave")  # never enrolled: signs with a key of his own (attributed)
    assert in_process(dave, "keys", "init", "--no-passphrase").returncode == 0
    unsigned = session(Home(dave), 44)
    done = in_process(dave, "sign", str(unsigned), "--yes")  # attributed: no config.toml of unlinkable mode
    assert done.returncode == 0, done.stderr
    eid = open_episode(Home(dave).outbox / unsigned.name).header.episode_id
    done = codetape(dave, "upload", "--to", team.source, env={  # with read rights: attributed asks first
        **team.seaweed.env(), "AWS_ENDPOINT_URL_S3": team.seaweed.endpoint})
    assert done.returncode == 0, done.stderr
    made[str(eid)] = "unauthorised"
    return made


def test_the_build_accepts_every_member_and_rejects_each_bad_episode_with_its_reason(team: Team,
                                                                                     tmp_path: Path) -> None:
    bad = bad_episodes(team)
    out = tmp_path / "out"
    said = team.build(out)
    good = sum(len(paths) for paths in team.episodes.values())
    assert f"{good} accepted, {len(bad)} rejected" in said, said
    con = duck_at(out)
    accepted = {row[0] for row in con.execute("SELECT signer_key_id FROM episodes").fetchall()}
    rejected = dict(con.execute("SELECT episode_id, reason FROM rejected").fetchall())
    outbox = Home(team.home("bob")).outbox
    reused = next(eid for eid, reason in bad.items() if reason == "key_reused")
    original = next(str(open_episode(path).header.episode_id) for path in team.episodes["bob"]
                    if signer(path) == signer(outbox / f"{reused}.ctape"))
    if original in rejected:  # of two episodes under one key, the first in source order (by SHA-256) stays
        bad = {**{eid: why for eid, why in bad.items() if eid != reused}, original: "key_reused"}
        team.episodes["bob"] = [outbox / f"{reused}.ctape" if path.name == f"{original}.ctape" else path
                                for path in team.episodes["bob"]]
    assert rejected == bad
    assert accepted == {signer(path) for paths in team.episodes.values() for path in paths}

    linkage(team, out)

    alice, bob, carol = team.home("alice"), team.home("bob"), team.home("carol")
    revoked, kept = team.episodes["alice"][2], team.episodes["alice"][1]  # carol has no episode of seed 6
    stolen = tmp_path / "stolen.ctape"
    shutil.copy(revoked, stolen)
    refused = codetape(carol, "revoke", str(stolen), env=team.seaweed.drop_env())
    assert refused.returncode == 1 and "only its signer can revoke it" in refused.stderr
    put_forged_revocation(team, Home(bob), kept)  # bob writes a record beside alice's other episode
    done = codetape(alice, "revoke", str(revoked), env=team.seaweed.drop_env())
    assert done.returncode == 0, done.stderr

    said = team.build(out)
    assert "removed: 1 episode revoked since built" in said and "ignored: 1 revocation record" in said, said
    gone, stays = signer(revoked), signer(kept)  # the episode ids repeat across members: their keys do not
    for build in (1, 2):
        rows = pinned_rows(snapshot_files(team.receiver, out, build))
        for table, found in rows.items():
            keys = {row.get("signer_key_id") for row in found}
            if table == "rejected":
                continue
            assert gone not in keys, (build, table)
            if table == "episodes":
                assert stays in keys, build
    reasons = dict(duck_at(out).execute("SELECT reason, count(*) FROM rejected WHERE signer_key_id IN "
                                        f"('{gone}', '{stays}') GROUP BY 1").fetchall())
    assert reasons == {"revoked": 1, "revocation_unverified": 1}

    held = b"".join(path.read_bytes() for path in sorted(team.issuer.base.rglob("*")) if path.is_file()
                    and (team.issuer.directory in path.parents or path.name.startswith("serve.")))
    for paths in team.episodes.values():
        for path in paths:
            episode = open_episode(path)
            assert episode.consent is not None
            reviewer = json.loads(unpack_payload(episode.consent)[1])["reviewer"]
            raw = base64.b64decode(reviewer["public_key"])
            needles = [str(episode.header.episode_id).encode(), reviewer["public_key"].encode(), raw,
                       raw.hex().encode(), reviewer["key_id"].encode(),
                       reviewer["authorisation"]["signature"].encode(), base64.b64decode(
                           reviewer["authorisation"]["signature"])]
            assert not [needle for needle in needles if needle in held], "the issuer keeps what links"


def put_forged_revocation(team: Team, by: Home, episode: Path) -> None:
    """A revocation record of `episode` signed by one of `by`'s episode keys, put at the source through the
    drop credential (as any holder of it could)."""
    key = next(key for key in stored_keys(by) if key.public_key in used_keys(by))
    sha = file_sha256(episode)
    statement = RevocationStatement(
        episode_sha256=sha, episode_id=open_episode(episode).header.episode_id, revoked_at=datetime.now(UTC),
        reason="not mine to revoke", reviewer=ConsentReviewer(public_key=encode_public(key.public_key),
                                                              key_id=key.key_id))
    text = json.dumps(plain(statement), sort_keys=True, separators=(",", ":"))
    signature = base64.b64encode(key.private().sign(signed_message(sha, text.encode()))).decode()
    record = msgspec.json.encode(RevocationRecord(statement=text, signature=signature))
    drop = team.seaweed.drop_env()
    import boto3

    client = boto3.client("s3", endpoint_url=team.seaweed.endpoint, region_name="us-east-1",
                          aws_access_key_id=drop["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=drop["AWS_SECRET_ACCESS_KEY"])
    client.put_object(Bucket=team.bucket, Key=f"team/episodes/{sha}.revocation.json", Body=record)


def linkage(team: Team, out: Path) -> None:
    """The adversarial receiver (tests/support/linkage.py): none of what it sees singles out one member."""
    values = seen_by_episode(team.episodes, out, team.seaweed, team.bucket)
    for member, shared in singled_out(team.episodes, values).items():
        assert not shared, f"{member}'s episodes all show, and no one else's do: {shared[:5]}"
