"""`codetape upload` to s3:// on a real S3-compatible server (SeaweedFS on loopback, the `seaweed` fixture):
end to end to both destinations, a multipart upload that resumes after the server was killed in the
middle, the one line a refused connection gives, a store that never answers given up on in the time its
timeouts allow, and episodes that must never reach the bucket."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from collector.consent import load_public
from collector.home import Home
from collector.text.sizes import byte_size
from collector.upload.destinations import configured
from collector.upload.errors import Unreachable
from collector.upload.outbox import drain
from collector.upload.receipts import read_receipt
from collector.upload.revocation import check_revocation
from collector.upload.stores import open_store
from tests.cli import codetape, environment
from tests.fixtures.make_golden import DIRECTORY
from tests.support.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS, free_ports
from tests.support.sized_episodes import signed_episode
from tests.support.upload_helpers import (
    foreign_signed,
    one_error_line,
    record_and_sign,
    stalled_store,
    tampered,
    unconnectable_store,
    unsigned_in_outbox,
)
from tests.waiting import wait_for

MIB = 1024 * 1024
STARTUP_S = 60  # beyond what the timeouts allow: the interpreter's start and the checks, on a busy machine


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return record_and_sign(tmp_path_factory.mktemp("recorded"))


@pytest.fixture
def home(recorded: tuple[Path, str], tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(recorded[0], copy, ignore=shutil.ignore_patterns("run"))
    return copy


def configure(home: Path, to: str, endpoint: str, extra: str = "") -> None:
    (home / "config.toml").write_text(f'[upload]\nto = "{to}"\nendpoint_url = "{endpoint}"\n{extra}',
                                      encoding="utf-8")


def object_sha256(seaweed: SeaweedFS, bucket: str, key: str) -> str:
    body = seaweed.client(attempts=3).get_object(Bucket=bucket, Key=key)["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(MIB), b""):
        digest.update(chunk)
    return digest.hexdigest()


def test_end_to_end_to_file_and_s3_then_revoked_at_both(seaweed: SeaweedFS, home: Path,
                                                        recorded: tuple[Path, str], tmp_path: Path) -> None:
    eid = recorded[1]
    bucket = seaweed.bucket("end-to-end")
    dest = tmp_path / "dest"
    configure(home, dest.as_uri(), seaweed.endpoint)
    env = seaweed.env()
    local = home / "outbox" / f"{eid}.ctape"
    sha = hashlib.sha256(local.read_bytes()).hexdigest()
    s3 = f"s3://{bucket}/team/codetape"

    assert codetape(home, "upload", env=env).returncode == 0
    sent = codetape(home, "upload", "--to", s3, env=env)
    key = f"team/codetape/episodes/{sha}"
    assert sent.stdout == (f"{eid[:8]}  uploaded to {s3} via {seaweed.endpoint}: s3://{bucket}/{key}.ctape "
                           f"({byte_size(local.stat().st_size)})\n"), sent.stderr
    assert seaweed.keys(bucket) == [f"{key}.ctape", f"{key}.json"]
    assert object_sha256(seaweed, bucket, f"{key}.ctape") == sha
    manifest = json.loads(seaweed.client().get_object(Bucket=bucket, Key=f"{key}.json")["Body"].read())
    assert (manifest["sha256"], manifest["episode_id"]) == (sha, eid)
    modified = seaweed.client().head_object(Bucket=bucket, Key=f"{key}.ctape")["LastModified"]

    again = codetape(home, "upload", "--to", s3, env=env)
    assert again.stdout.startswith(f"nothing to upload to {s3}"), again
    explicit = codetape(home, "upload", eid, "--to", s3, env=env)
    assert "already at" in explicit.stdout and "(nothing sent)" in explicit.stdout
    assert seaweed.client().head_object(Bucket=bucket, Key=f"{key}.ctape")["LastModified"] == modified
    assert codetape(home, "upload", env=env).stdout.startswith("nothing to upload")

    [row] = json.loads(codetape(home, "episodes", "--json").stdout)
    assert row["state"] == "uploaded"
    assert sorted(u["destination"] for u in row["uploads"]) == [dest.as_uri(), f"{s3} via {seaweed.endpoint}"]

    revoked = codetape(home, "revoke", eid, env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert seaweed.keys(bucket) == [f"{key}.ctape", f"{key}.json", f"{key}.revocation.json"]
    public = load_public(Home(home)).public_key
    at_s3 = seaweed.client().get_object(Bucket=bucket, Key=f"{key}.revocation.json")["Body"].read()
    at_file = (dest / "episodes" / f"{sha}.revocation.json").read_bytes()
    assert at_s3 == at_file and check_revocation(at_s3, public_key=public).episode_sha256 == sha
    [row] = json.loads(codetape(home, "episodes", "--json").stdout)
    assert row["state"] == "revoked" and row["revoked_at"] is not None
    written = b"".join(path.read_bytes() for root in (home, dest) for path in root.rglob("*")
                       if path.is_file())
    written += b"".join(seaweed.client().get_object(Bucket=bucket, Key=name)["Body"].read()
                        for name in seaweed.keys(bucket) if name.endswith(".json"))
    assert ACCESS_KEY.encode() not in written and SECRET_KEY.encode() not in written  # no credentials kept


@pytest.mark.eval  # a crash and recovery of 40 MB: scripts/test --all runs it
def test_a_multipart_upload_cut_by_a_crashed_server_resumes(seaweed: SeaweedFS, tmp_path: Path) -> None:
    """The server is killed (SIGKILL) after three parts; the run fails with the store out of reach and the
    upload id kept in the receipt; after a restart `codetape upload` sends only the missing parts, and the
    stored object hashes to the local file's SHA-256."""
    home = Home(tmp_path / "home")
    home.ensure(home.root)
    assert codetape(home.root, "keys", "init", "--no-passphrase").returncode == 0
    path = signed_episode(home, 40 * 1000 * 1000, seed=7)
    size = path.stat().st_size
    bucket = seaweed.bucket("resume")
    configure(home.root, f"s3://{bucket}/r", seaweed.endpoint, "part_size_mib = 5\nmax_attempts = 2\n")
    destination = configured(home)
    assert destination is not None
    sent = 0

    def crash_after_three_parts(done: int) -> None:
        nonlocal sent
        sent += done
        if sent >= 3 * 5 * MIB:
            seaweed.kill()

    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in seaweed.env().items():
                patch.setenv(name, value)
            [outcome] = drain(home, open_store(destination), [path], concurrency=1,
                              progress=crash_after_three_parts)
        assert isinstance(outcome.error, Unreachable), outcome
        receipt = read_receipt(home, path.stem)
        assert receipt is not None and not receipt.deliveries and len(receipt.pending) == 1
        upload_id = receipt.pending[0].upload_id
    finally:
        seaweed.start()  # the restart, on the same directory and ports
    parts = seaweed.client(attempts=3).list_parts(Bucket=bucket, Key=f"r/episodes/{receipt.sha256}.ctape",
                                                  UploadId=upload_id)["Parts"]
    assert len(parts) >= 3  # what the crashed server kept

    resumed = codetape(home.root, "upload", env=seaweed.env())
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed: {len(parts)} parts were already there" in resumed.stdout
    assert object_sha256(seaweed, bucket, f"r/episodes/{receipt.sha256}.ctape") == receipt.sha256
    assert hashlib.sha256(path.read_bytes()).hexdigest() == receipt.sha256
    after = read_receipt(home, path.stem)
    assert after is not None and not after.pending and after.deliveries[0].sent_bytes < size


def test_a_refused_connection_is_one_line_with_the_retry_command(home: Path,
                                                                recorded: tuple[Path, str]) -> None:
    eid = recorded[1]
    nobody = f"http://127.0.0.1:{free_ports(1)[0]}"
    configure(home, "s3://no-server/x", nobody, "max_attempts = 2\n")
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1"}
    one_error_line(codetape(home, "upload", env=env), 1, f"cannot reach {nobody}",
                   "1 of 1 episodes not sent (it stays in the outbox); retry: codetape upload")
    line = one_error_line(codetape(home, "upload", eid[:8], "--to", "s3://no-server/y", env=env), 1)
    assert line.endswith(f"retry: codetape upload {eid} --to s3://no-server/y")
    status = codetape(home, "status").stdout
    assert "1 signed episode waiting for upload to s3://no-server/x" in status
    assert f"failed: cannot reach {nobody}" in status


def test_a_stalled_store_is_given_up_on_in_one_line_and_the_episode_stays(home: Path,
                                                                          recorded: tuple[Path, str]) -> None:
    """A store that accepts connections and never answers (issue 25): a line on stderr while the command
    waits; then, within what the configured timeouts allow, exit 1 and one `codetape:` line naming the
    endpoint and saying the episode stays in the outbox, where it still waits."""
    eid = recorded[1]
    connect, read, attempts = 1, 3, 2
    bound = attempts * (connect + 1 + read) + 1  # README: attempts x (connect + 1 + read) + backoff (1 s)
    secret = "stalled-store-secret"
    env = {"AWS_ACCESS_KEY_ID": "stalled-store-key", "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_DEFAULT_REGION": "us-east-1"}
    with stalled_store() as store:
        endpoint = store.url
        configure(home, "s3://stalled/x", endpoint,
                  f"connect_timeout_s = {connect}\nread_timeout_s = {read}\nmax_attempts = {attempts}\n")
        with subprocess.Popen([sys.executable, "-m", "collector", "upload"], env=environment(home, env),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, encoding="utf-8") as upload:
            assert upload.stdout is not None and upload.stderr is not None
            deadline = threading.Timer(bound + STARTUP_S, upload.kill)
            deadline.start()
            try:
                waiting = upload.stderr.readline()
                said_while_waiting = upload.poll() is None
                rest, out = upload.stderr.read(), upload.stdout.read()
                code = upload.wait()
            finally:
                deadline.cancel()
        wait_for(lambda: len(store.held) >= attempts, what=f"{attempts} connections to the stalled store",
                 detail=lambda: len(store.held))
    assert len(store.held) == attempts  # max_attempts counts the first attempt (botocore's own, the retries)
    assert code != -signal.SIGKILL, f"still waiting for a stalled store after {bound + STARTUP_S} s"
    assert code == 1 and out == "", (code, waiting, rest, out)
    assert waiting.startswith(f"waiting for {endpoint}: no answer for {connect} s"), waiting
    assert f"after {bound} s at most" in waiting, waiting
    assert said_while_waiting
    [line] = rest.splitlines()
    assert line.startswith(f"codetape: no answer from {endpoint} within {read} s ({attempts} attempts)"), line
    assert line.endswith("1 of 1 episodes not sent (it stays in the outbox); retry: codetape upload"), line
    assert secret not in waiting + rest
    assert (home / "outbox" / f"{eid}.ctape").is_file()
    [row] = json.loads(codetape(home, "episodes", "--json").stdout)
    assert row["state"] == "signed" and row["uploads"] == []


def test_a_store_that_takes_no_connection_is_given_up_on_after_the_connect_timeouts(
        home: Path, recorded: tuple[Path, str]) -> None:
    """Connections that are never made (SYNs dropped, as by a firewall): the same, after `max_attempts`
    connect timeouts."""
    eid = recorded[1]
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1"}
    with unconnectable_store() as endpoint:
        configure(home, "s3://unconnectable/x", endpoint, "connect_timeout_s = 1\nmax_attempts = 3\n")
        done = codetape(home, "upload", env=env)
    assert done.returncode == 1, done
    waiting, line = done.stderr.splitlines()
    assert waiting.startswith(f"waiting for {endpoint}: no answer for 1 s"), waiting
    assert line == (f"codetape: no connection to {endpoint} within 1 s (3 attempts): 1 of 1 episodes not "
                    "sent (it stays in the outbox); retry: codetape upload"), line
    assert (home / "outbox" / f"{eid}.ctape").is_file()


def test_episodes_that_may_not_leave_never_reach_the_bucket(
        seaweed: SeaweedFS, home: Path, recorded: tuple[Path, str], tmp_path: Path) -> None:
    eid = recorded[1]
    bucket = seaweed.bucket("refusals")
    configure(home, f"s3://{bucket}/x", seaweed.endpoint)
    own = home / "outbox" / f"{eid}.ctape"
    kept = tmp_path / "signed.ctape"
    shutil.copy(own, kept)
    tampered(kept, own)
    golden = DIRECTORY / "full.ctape"
    foreign_signed(Home(home), golden, tmp_path)  # the golden episode, signed by someone else
    done = codetape(home, "upload", env=seaweed.env())
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and len(lines) == 2, done
    assert any("signature does not match" in line for line in lines)
    assert any("not by yours" in line for line in lines)
    assert seaweed.keys(bucket) == []

    shutil.copy(kept, own)  # the real one back, now against the policy in force
    (home / "policy.toml").write_text('allowed_licences = ["Apache-2.0"]\n', encoding="utf-8")
    one_error_line(codetape(home, "upload", eid, env=seaweed.env()), 1, "allows only Apache-2.0")
    (home / "policy.toml").unlink()
    unsigned = unsigned_in_outbox(Home(home), golden)  # in place of the foreign one (the same id)
    one_error_line(codetape(home, "upload", unsigned.stem, env=seaweed.env()), 1, "is not signed")
    assert seaweed.keys(bucket) == []
