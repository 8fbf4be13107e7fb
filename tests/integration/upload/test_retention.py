"""Retention and the proof of deletion (issue 39, items 2, 3 and 4), through the real CLI and real builds: the
signed statement records the managed policy's hash in both consent modes and `dataset build
--require-policy` keeps only episodes signed under it; `retain_until` is signed (from the managed policy,
the contributor's policy.toml or `sign --retain-until`; later than the policy's, or already past, is
refused in one line); a build (`--as-of` a later day) purges an episode past its date from every snapshot
of a directory dataset and of an s3:// one on SeaweedFS, exactly as a revocation does, the manifest
records each purge, and `dataset purge-report` lists them signed by the receiver's key, `--verify` checking
it against that key."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from collector.consent.authorisation import Authorisation
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch
from collector.consent.statement import parse_statement, unpack_payload
from collector.consent.unlinkable import epoch_of
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from schemas.consent import ConsentStatement
from tests.cli import codetape
from tests.integration.dataset.test_dataset_s3 import configure
from tests.integration.policy.test_managed_policy import install
from tests.support.collector_harness import opt_in
from tests.support.dataset_helpers import (
    Contributor,
    canaries,
    contributor,
    duck,
    files_under,
    holding,
    pinned_rows,
    revoke,
    session,
    snapshot_files,
    upload,
)
from tests.support.linkage import episode_repository
from tests.support.seaweed import SeaweedFS
from tests.support.upload_helpers import one_error_line

POLICY = 'allowed_purposes = ["model-training"]\nretain_until = 2099-06-30\n'
PAGE = Path(__file__).resolve().parents[3] / "docs" / "retention.md"


@pytest.fixture
def policy(tmp_path: Path) -> Iterator[Path]:
    """Where the managed policy is installed (nothing yet): CODETAPE_POLICY names it, for the CLI in this
    process and in others, once it is there (a named file that is not is refused: it can only add one)."""
    tmp_path.chmod(0o755)
    path = tmp_path / "etc-codetape" / "policy.toml"
    yield path
    os.environ.pop("CODETAPE_POLICY", None)


def installed(policy: Path, text: str) -> Path:
    """The policy installed where `policy` says, and named by CODETAPE_POLICY from now on."""
    install(policy.parent, text)
    os.environ["CODETAPE_POLICY"] = str(policy)
    return policy


def today() -> date:
    return utc_now().date()


def purpose(person: Contributor, extra: str = "") -> None:
    """The contributor's own policy.toml: the purpose the managed policy allows (and `extra`)."""
    (person.home.root / "policy.toml").write_text(f'purpose = "model-training"\n{extra}', encoding="utf-8")


def sign(person: Contributor, seed: int, *more: str) -> Path:
    """A generated session signed with the real `codetape sign --yes`; the signed file in the outbox."""
    unsigned = session(person.home, seed)
    episode_id = open_episode(unsigned).header.episode_id
    if "--unlinkable" in more:  # its repository, which the unlinkable cut asks
        named = open_episode(unsigned).header.workspace.root_name
        episode_repository(person.home.root, person.home.root.parent / f"{person.home.root.name}-src", named)
    done = codetape(person.home.root, "sign", str(unsigned), "--yes", *more)
    assert done.returncode == 0, done.stderr
    return person.home.outbox / f"{episode_id}.ctape"


def statement_of(path: Path) -> tuple[ConsentStatement, dict[str, Any]]:
    """The signed statement: as the model reads it, and as the JSON that was signed."""
    _signature, data = unpack_payload(open_episode(path).consent or b"")
    return parse_statement(data), json.loads(data)


def build(team: Path, source: str, out: str, *more: str, env: dict[str, str] | None = None) -> str:
    done = codetape(team, "dataset", "build", source, "-o", out, *more, env=env)
    assert done.returncode == 0 and done.stderr == "", done
    return done.stdout


def episode_id(path: Path) -> str:
    return str(open_episode(path).header.episode_id)


def test_the_statement_records_the_managed_policys_hash_and_a_build_can_require_it(policy: Path,
                                                                                 tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    purpose(alice)
    bare = sign(alice, 61)  # no managed policy yet
    installed(policy, POLICY)
    first = hashlib.sha256(policy.read_bytes()).hexdigest()
    under_first = sign(alice, 62)
    seed, public = new_key_pair()  # unlinkable: a per-episode key (its authorisation is not checked here)
    store_batch(alice.home, [EpisodeKey(public, seed, Authorisation("0123456789abcdef", epoch_of(utc_now()),
                                                                     os.urandom(32), os.urandom(384)))])
    unlinkable = sign(alice, 63, "--unlinkable")
    installed(policy, POLICY + "# a second revision of the file\n")
    second = hashlib.sha256(policy.read_bytes()).hexdigest()
    under_second = sign(alice, 64)

    said = {path: statement_of(path) for path in (bare, under_first, unlinkable, under_second)}
    assert "managed_policy_sha256" not in said[bare][1]["terms"]  # absent, not null: the bytes it always had
    assert said[under_first][0].terms.managed_policy_sha256 == first
    assert said[unlinkable][0].reviewer.authorisation is not None
    assert said[unlinkable][0].terms.managed_policy_sha256 == first
    assert said[unlinkable][0].terms.retain_until == date(2099, 6, 30)
    assert said[under_second][0].terms.managed_policy_sha256 == second

    source, out, team = (tmp_path / "source").as_uri(), tmp_path / "out", tmp_path / "team"
    upload(alice, source, bare, under_first, under_second)
    summary = build(team, source, str(out), "--require-policy", first.upper())
    assert "1 accepted, 2 rejected (policy 2)" in summary, summary
    con = duck(out)
    assert con.execute("SELECT episode_id, managed_policy_sha256, retain_until FROM episodes").fetchall() == [
        (episode_id(under_first), first, date(2099, 6, 30))]
    details = dict(con.execute("SELECT episode_id, detail FROM rejected WHERE reason = 'policy'").fetchall())
    assert "signed under no managed policy" in details[episode_id(bare)]
    assert f"signed under the managed policy {second[:16]}..., not the {first[:16]}..." in \
        details[episode_id(under_second)]
    one_error_line(codetape(team, "dataset", "build", source, "-o", str(out), "--require-policy", second), 2,
                   f"was built accepting --require-policy {first}; give the same --require-policy")
    one_error_line(codetape(team, "dataset", "build", source, "-o", str(out), "--require-policy", "abc"), 2,
                   "--require-policy: give the 64 hex digits")


def test_retain_until_is_signed_and_one_later_than_the_policys_or_past_is_refused(policy: Path,
                                                                                tmp_path: Path) -> None:
    installed(policy, POLICY)
    alice = contributor(tmp_path, "alice")
    purpose(alice)
    unsigned = session(alice.home, 65)
    for asked, says in (("2099-07-01", "retain until 2099-07-01 is later than the managed policy "
                                       f"({policy}) allows: 2099-06-30 at the latest"),
                        ((today() - timedelta(days=1)).isoformat(), "is already past (today is")):
        one_error_line(codetape(alice.home.root, "sign", str(unsigned), "--yes", "--retain-until", asked), 1,
                       "cannot sign: ", says)
    assert unsigned.exists() and not list(alice.home.ensure(alice.home.outbox).iterdir())  # nothing signed
    done = codetape(alice.home.root, "sign", str(unsigned), "--yes", "--retain-until", "soon")
    assert done.returncode == 2 and "'soon' is not a date (YYYY-MM-DD)" in done.stderr, done.stderr

    by_policy = sign(alice, 66)
    assert statement_of(by_policy)[0].terms.retain_until == date(2099, 6, 30)
    purpose(alice, "retain_until = 2098-01-31\n")  # the contributor's own, earlier: it wins
    workspace = opt_in(tmp_path / "ws", "[policy]\nretain_until = 2097-05-01\n", home=alice.home.root)
    shown = codetape(alice.home.root, "review", str(session(alice.home, 67)), "--summary", "--json",
                     "--workspace", str(workspace))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["policy"]["retain_until"] == "2097-05-01"  # the earlier of the two
    assert statement_of(sign(alice, 70, "--workspace", str(workspace)))[0].terms.retain_until == \
        date(2097, 5, 1)
    assert statement_of(sign(alice, 67))[0].terms.retain_until == date(2098, 1, 31)
    done = codetape(alice.home.root, "sign", str(session(alice.home, 68)), "--yes", "--retain-until",
                    today().isoformat())  # today is not past: it expires tomorrow
    assert done.returncode == 0 and f"retained until {today().isoformat()}" in done.stdout, done.stderr
    purpose(alice, "retain_until = 2099-12-31\n")  # later than the managed policy's: refused as well
    one_error_line(codetape(alice.home.root, "sign", str(session(alice.home, 69)), "--yes"), 1,
                   "retain until 2099-12-31 is later than the managed policy")


def report_of(team: Path, out: str, tmp_path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`codetape dataset purge-report OUT -o FILE`, checked with `--verify --key receiver.pub`: its body."""
    report = tmp_path / "purges.json"
    done = codetape(team, "dataset", "purge-report", out, "-o", str(report), env=env)
    assert done.returncode == 0 and done.stderr == "", done
    public = team / "receiver" / "receiver.pub"
    verified = codetape(tmp_path, "dataset", "purge-report", "--verify", str(report), "--key", str(public))
    assert verified.returncode == 0, verified.stderr
    return dict(json.loads(report.read_text())["body"])


def test_an_expired_episode_leaves_every_snapshot_and_the_signed_purge_report_says_so(tmp_path: Path) -> None:
    source, out, team = (tmp_path / "source").as_uri(), tmp_path / "out", tmp_path / "team"
    alice = contributor(tmp_path, "alice")
    tomorrow = today() + timedelta(days=1)
    gone = sign(alice, 71, "--retain-until", tomorrow.isoformat())
    stays = sign(alice, 72)
    upload(alice, source)
    build(team, source, str(out))
    later = sign(alice, 73)
    upload(alice, source, later)
    build(team, source, str(out))
    at = {number: pinned_rows(snapshot_files(team, out, number)) for number in (1, 2)}
    assert {row["episode_id"] for row in at[2]["episodes"]} == {episode_id(gone), episode_id(stays),
                                                                 episode_id(later)}
    marks = canaries(gone, [stays, later])
    assert holding(files_under(out), marks)
    one_error_line(codetape(team, "dataset", "build", source, "-o", str(out), "--as-of",
                            (today() - timedelta(days=1)).isoformat()), 2, "is before today")
    assert "removed" not in build(team, source, str(out), "--as-of", tomorrow.isoformat())  # its last day

    expired_new = sign(alice, 74, "--retain-until", tomorrow.isoformat())  # arrives after its date
    upload(alice, source, expired_new)
    after = (tomorrow + timedelta(days=1)).isoformat()
    summary = build(team, source, str(out), "--as-of", after)
    assert "1 accepted" not in summary and "1 rejected (expired 1)" in summary, summary
    assert "removed: 1 episode expired since built (expired 1), from every snapshot" in summary, summary
    for number in (1, 2, 3):
        rows = pinned_rows(snapshot_files(team, out, number))
        assert episode_id(gone) not in {row["episode_id"] for table in rows.values() for row in table
                                        if "episode_id" in row and table is not rows["rejected"]}, number
        assert len(rows["steps"]) == len([row for row in at[min(number, 2)]["steps"]
                                          if row["episode_id"] != episode_id(gone)]), number
    assert holding(files_under(out), marks) == []  # no byte of its rows left under OUT
    rejected = dict(duck(out).execute("SELECT episode_id, reason FROM rejected").fetchall())
    assert rejected == {episode_id(gone): "expired", episode_id(expired_new): "expired"}
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["builds"][-1]["expired"] == 1 and manifest["builds"][-1]["withdrawn"] == 1
    (purge,) = manifest["purges"]
    assert (purge["episode_id"], purge["reason"], purge["build"], purge["snapshots"]) == (
        episode_id(gone), "expired", 4, [1, 2, 3])
    assert {item["table"] for item in purge["files"]} >= {"episodes", "steps"}

    one_error_line(codetape(team, "dataset", "purge-report", str(out)), 1,
                   "no receiver key in", "codetape dataset key init")
    assert codetape(team, "dataset", "key", "init").returncode == 0
    revoke(alice, stays)  # a revocation is purged and reported alike
    before = (out / "_builds" / "b00001.json").read_text()
    assert "removed: 1 episode revoked since built" in build(team, source, str(out))
    # as if build 5 died after committing, before rewriting build 1's record: the report reads the records
    # as they are and says so; the next build finishes the purge
    after_purge = (out / "_builds" / "b00001.json").read_text()
    (out / "_builds" / "b00001.json").write_text(before)
    pending = report_of(team, str(out), tmp_path)["episodes"][1]
    assert (pending["episode_id"], pending["complete"]) == (episode_id(stays), False)
    assert [(state["build"], state["state"]) for state in pending["snapshots"]] == [
        (1, "pending"), (2, "purged"), (3, "purged"), (4, "purged")]
    assert "0 new episodes" in build(team, source, str(out))
    assert json.loads((out / "_builds" / "b00001.json").read_text())["tables"] == \
        json.loads(after_purge)["tables"]
    body = report_of(team, str(out), tmp_path)
    assert [(item["episode_id"], item["reason"], item["purged_by_build"], item["complete"])
            for item in body["episodes"]] == [(episode_id(gone), "expired", 4, True),
                                              (episode_id(stays), "revoked", 5, True)]
    first = body["episodes"][0]
    assert [(state["build"], state["state"]) for state in first["snapshots"]] == [
        (1, "purged"), (2, "purged"), (3, "purged")]
    assert all(state["rows_left_at"] == first["rows_left_dataset_at"] for state in first["snapshots"])
    assert first["files"] and not any(item["still_present"] for item in first["files"])
    text = (tmp_path / "purges.json").read_text()
    assert holding([("purges.json", text.encode())], marks) == []  # no content of the episode
    assert alice.key.key_id not in text  # nor who signed it

    mine = tmp_path / "mine.json"
    assert codetape(team, "dataset", "purge-report", str(out), "-o", str(mine), "--episode",
                    episode_id(gone)).returncode == 0
    assert [item["episode_id"] for item in json.loads(mine.read_text())["body"]["episodes"]] == [
        episode_id(gone)]
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text.replace('"complete": true', '"complete": false', 1))
    one_error_line(codetape(team, "dataset", "purge-report", "--verify", str(tampered)), 1,
                   "the signature does not verify under receiver key")
    other = tmp_path / "other"
    assert codetape(other, "dataset", "key", "init").returncode == 0
    one_error_line(codetape(other, "dataset", "purge-report", "--verify", str(tmp_path / "purges.json")), 1,
                   "the report says it was signed by receiver key")
    one_error_line(codetape(team, "dataset", "purge-report", str(out), "--episode", str(uuid.uuid4())), 2,
                   "purged no episode")


def test_in_an_s3_dataset_an_expired_episode_leaves_every_snapshot_and_object(seaweed: SeaweedFS,
                                                                             tmp_path: Path) -> None:
    bucket = seaweed.bucket("dataset-retention")
    env = seaweed.env()
    source, out = f"s3://{bucket}/source", f"s3://{bucket}/built"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    tomorrow = today() + timedelta(days=1)
    gone = sign(alice, 75, "--retain-until", tomorrow.isoformat())
    stays = sign(alice, 76)
    upload(alice, source, env=env)
    team = tmp_path / "team"
    configure(team, seaweed)
    build(team, source, out, "--exports", "atif", env=env)

    def objects() -> list[tuple[str, bytes]]:
        client = seaweed.client()
        return [(key, client.get_object(Bucket=bucket, Key=key)["Body"].read())
                for key in seaweed.keys(bucket) if key.startswith("built/")]

    marks = canaries(gone, [stays])
    assert holding(objects(), marks)
    summary = build(team, source, out, "--as-of", (tomorrow + timedelta(days=1)).isoformat(), env=env)
    assert "removed: 1 episode expired since built" in summary, summary
    assert holding(objects(), marks) == []
    steps = snapshot_files(team, out, 1, env)["steps"]
    assert steps and all(url.startswith(f"s3://{bucket}/built/") for url in steps)
    record = json.loads(seaweed.client().get_object(Bucket=bucket, Key="built/_builds/b00001.json")["Body"]
                        .read())
    assert [item["build"] for item in record["purged"]] == [2]
    listed = seaweed.client().get_object(Bucket=bucket,
                                         Key="built/_builds/b00001.exports.jsonl")["Body"].read()
    assert record["exports_added"] == {"atif": 2}  # its list of them now names the one left (issue 107)
    assert [json.loads(line)[0].split("/")[-1].split(".")[0] for line in listed.splitlines()] == \
        [episode_id(stays)]
    assert codetape(team, "dataset", "key", "init").returncode == 0
    body = report_of(team, out, tmp_path, env=env)
    (item,) = body["episodes"]
    assert (item["episode_id"], item["reason"], item["complete"]) == (episode_id(gone), "expired", True)
    assert [state["state"] for state in item["snapshots"]] == ["purged"]
    assert "exports" in {entry["table"] for entry in item["files"]}
    # issue 53, item 6: an export's path named its signer's folder (`exports/atif/SIGNER/FILE`)
    assert [entry["path"] for entry in item["files"] if entry["table"] == "exports"] == [
        f"exports/atif/{episode_id(gone)}.atif.json"]
    assert alice.key.key_id not in json.dumps(body)


def test_the_readmes_lifecycle_rule_for_raw_uploads_is_accepted_by_seaweedfs(seaweed: SeaweedFS) -> None:
    """The rule docs/retention.md gives is one an S3 store takes: put, then read back the same. (A
    rule's expiry counts whole days, so that objects do expire is not observed here.)"""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"<!-- lifecycle-rule -->\n```json\n(.*?)```", text, re.DOTALL)
    assert found, "docs/retention.md: the lifecycle rule's JSON block after <!-- lifecycle-rule -->"
    rule = json.loads(found.group(1))
    bucket = seaweed.bucket("uploads-lifecycle")
    client = seaweed.client()
    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rule)
    assert client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rule["Rules"]


def test_the_receiver_key_is_made_once_and_refused_when_others_can_read_it(tmp_path: Path) -> None:
    """The receiver's key file is refused once another user can read it (one line saying how to fix it)."""
    team = tmp_path / "team"
    assert codetape(team, "dataset", "key", "init").returncode == 0
    key = Home(team).root / "receiver" / "identity.key"
    assert key.stat().st_mode & 0o777 == 0o600
    shown = codetape(team, "dataset", "key", "show", "--json")
    assert shown.returncode == 0 and len(json.loads(shown.stdout)["key_id"]) == 16
    one_error_line(codetape(team, "dataset", "key", "init"), 1, "a receiver key already exists")
    key.chmod(0o644)
    one_error_line(codetape(team, "dataset", "key", "show"), 1, "is accessible by other users", "chmod 600")
