"""`codetape upload` to a file:// destination, the embedded default: a session recorded by the real
collector, signed, uploaded once and only once, revoked; what may not leave stays; the collector drains
the outbox in the background."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import msgspec
import pytest

from collector.consent import load_public
from collector.home import Home
from collector.text.sizes import byte_size
from collector.upload.revocation import check_revocation
from schemas.upload import UploadManifest
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.support.collector_harness import running, wait_for
from tests.support.sized_episodes import signed_episode
from tests.support.upload_helpers import (
    foreign_signed,
    one_error_line,
    record_and_sign,
    tampered,
    unsigned_in_outbox,
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return record_and_sign(tmp_path_factory.mktemp("recorded"))


@pytest.fixture
def home(recorded: tuple[Path, str], tmp_path: Path) -> Path:
    """A fresh copy of the home holding the signed episode (and its key)."""
    copy = tmp_path / "home"
    shutil.copytree(recorded[0], copy, ignore=shutil.ignore_patterns("run"))
    return copy


def configure(home: Path, dest: Path) -> None:
    (home / "config.toml").write_text(f'[upload]\nto = "{dest.as_uri()}"\n', encoding="utf-8")


def test_upload_sends_once_and_revoke_leaves_a_signed_record(home: Path, recorded: tuple[Path, str],
                                                             tmp_path: Path) -> None:
    eid = recorded[1]
    dest = tmp_path / "dest"
    configure(home, dest)
    local = home / "outbox" / f"{eid}.ctape"
    sha = hashlib.sha256(local.read_bytes()).hexdigest()
    stored = dest / "episodes" / f"{sha}.ctape"

    first = codetape(home, "upload")
    assert first.returncode == 0, first.stderr
    size = byte_size(local.stat().st_size)
    assert first.stdout == f"{eid[:8]}  uploaded to {dest.as_uri()}: {stored} ({size})\n"
    assert stored.read_bytes() == local.read_bytes() and stat.S_IMODE(stored.stat().st_mode) == 0o600
    manifest = msgspec.json.decode((dest / "episodes" / f"{sha}.json").read_bytes(), type=UploadManifest)
    assert (str(manifest.episode_id), manifest.sha256, manifest.bytes) == (eid, sha, local.stat().st_size)
    assert manifest.signer_key_id == load_public(Home(home)).key_id
    before = {path: path.stat().st_mtime_ns for path in dest.rglob("*")}

    again = codetape(home, "upload")
    assert (again.returncode, again.stderr) == (0, "") and again.stdout.startswith("nothing to upload")
    explicit = codetape(home, "upload", eid[:8])
    assert explicit.stdout == f"{eid[:8]}  already at {dest.as_uri()}: {stored} (nothing sent)\n"
    assert {path: path.stat().st_mtime_ns for path in dest.rglob("*")} == before

    [row] = json.loads(codetape(home, "episodes", "--json").stdout)
    assert (row["state"], row["path"]) == ("uploaded", str(local))
    assert [(u["destination"], u["key"]) for u in row["uploads"]] == [(dest.as_uri(), str(stored))]
    assert "0 signed episodes waiting" in codetape(home, "status").stdout

    revoked = codetape(home, "revoke", eid[:8], "--reason", "contains a customer's name")
    assert revoked.returncode == 0, revoked.stderr
    assert f"record written at {dest.as_uri()}" in revoked.stdout
    record = (dest / "episodes" / f"{sha}.revocation.json").read_bytes()
    statement = check_revocation(record, public_key=load_public(Home(home)).public_key)
    assert (statement.episode_sha256, str(statement.episode_id)) == (sha, eid)
    assert statement.reason == "contains a customer's name"
    assert record == (home / "receipts" / f"{eid}.revocation.json").read_bytes()
    listed = codetape(home, "episodes").stdout
    assert listed.startswith(f"{eid[:8]}  revoked ") and len(listed.splitlines()) == 1
    assert "\nrevoked    at " in codetape(home, "inspect", eid[:8]).stdout
    one_error_line(codetape(home, "upload", eid[:8], "--to", (tmp_path / "elsewhere").as_uri()), 1,
                   "was revoked", "never leaves again")
    assert not (tmp_path / "elsewhere").exists()
    assert codetape(home, "revoke", eid[:8]).stdout.startswith(f"already revoked {eid}")


def test_what_may_not_leave_stays_with_one_line_each(home: Path, recorded: tuple[Path, str],
                                                     tmp_path: Path) -> None:
    """Unsigned, tampered, signed with someone else's key, or against the policy now in force: refused
    with the reason, and nothing reaches the destination."""
    eid = recorded[1]
    dest = tmp_path / "dest"
    configure(home, dest)
    own = home / "outbox" / f"{eid}.ctape"
    tampered(own, tmp_path / "tampered.ctape")
    shutil.move(tmp_path / "tampered.ctape", own)
    golden = DIRECTORY / "full.ctape"
    unsigned = unsigned_in_outbox(Home(home), golden)
    done = codetape(home, "upload")
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and done.stdout == "" and len(lines) == 2, done
    assert any(f"{eid} fails its consent check" in line and "signature does not match" in line
               for line in lines)
    assert any("is not signed, so it stays" in line for line in lines)
    assert not dest.exists()
    status = codetape(home, "status").stdout
    assert "2 signed episodes waiting" in status and "failed: " in status

    unsigned.unlink()
    foreign = foreign_signed(Home(home), golden, tmp_path)
    one_error_line(codetape(home, "upload", str(foreign)), 1, "is signed by key", "not by yours")
    assert not dest.exists()


def test_the_policy_in_force_at_upload_time_decides(home: Path, recorded: tuple[Path, str],
                                                    tmp_path: Path) -> None:
    eid = recorded[1]
    dest = tmp_path / "dest"
    configure(home, dest)
    (home / "policy.toml").write_text('allowed_licences = ["MIT"]\n', encoding="utf-8")
    one_error_line(codetape(home, "upload", eid), 1, "licence is unknown", "allows only MIT")
    (home / "policy.toml").write_text('purpose = "evaluation only"\n', encoding="utf-8")
    one_error_line(codetape(home, "upload", eid), 1, "signed for purpose None", "'evaluation only'")
    (home / "policy.toml").write_text('mandatory_exclude = ["calc.py"]\n', encoding="utf-8")
    one_error_line(codetape(home, "upload", eid), 1, "holds calc.py", "mandatory exclusion")
    assert not dest.exists()
    (home / "policy.toml").unlink()
    assert codetape(home, "upload", eid).returncode == 0 and len(list(dest.rglob("*.ctape"))) == 1


def test_destinations_are_checked_before_anything_is_sent(home: Path) -> None:
    one_error_line(codetape(home, "upload"), 2, "no upload destination", "config.toml", "--to")
    one_error_line(codetape(home, "upload", "--to", "ftp://example.org/x"), 2, "unsupported")
    one_error_line(codetape(home, "upload", "--to", "file://relative/dir"), 2, "local directory")
    one_error_line(codetape(home, "upload", "--to", "s3://AKIA:secret@bucket/x"), 2,
                   "must not hold credentials")
    (home / "config.toml").write_text('[upload]\nto = "s3://bucket/x"\nendpoint_url = "http://192.0.2.7:9000"\n',
                                      encoding="utf-8")
    one_error_line(codetape(home, "upload"), 2, "refusing plain http:// to 192.0.2.7", "--allow-insecure")
    (home / "config.toml").write_text('[upload]\nto = "s3://bucket/x"\n', encoding="utf-8")
    from_env = codetape(home, "upload", env={"AWS_ENDPOINT_URL": "http://192.0.2.7:9000",
                                             "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
    one_error_line(from_env, 2, "refusing plain http:// to 192.0.2.7")
    (home / "config.toml").write_text('[upload]\nto = 7\n', encoding="utf-8")
    one_error_line(codetape(home, "upload"), 1, "config.toml:2: upload.to")


AWS_KEY_ID, AWS_SECRET = "AKIAQ3EGUIJ2ZK4PLMXW", "tN4q8Xk2Lr7/pZ0wY5vB1mJ6hG3fD9sA2eC8uQe"  # made up


@pytest.mark.parametrize(("settings", "secrets"), [
    ('to = "https://deploy:p@ss-W0rd9@host:port/"', ["p@ss-W0rd9", "ss-W0rd9"]),
    (f'to = "s3://{AWS_KEY_ID}:{AWS_SECRET}@bucket"', [AWS_KEY_ID, AWS_SECRET, AWS_SECRET[:8]]),
    ('to = "s3://ci:Sup3rSecretPW@bucket:port/x"', ["Sup3rSecretPW"]),
    ('to = "postgres://u:Sup3rSecretPW@[bad"', ["Sup3rSecretPW"]),
    ('to = "s3://bucket/x"\nendpoint_url = "https://minio:Sup3rSecretPW@[minio.internal"', ["Sup3rSecretPW"]),
    ('to = "s3://bucket/x"\nendpoint_url = "ftp://minio:Sup3rSecretPW@minio.internal:x"', ["Sup3rSecretPW"]),
])
def test_a_url_with_credentials_is_never_quoted_back(home: Path, settings: str, secrets: list[str]) -> None:
    """Issue 24: a malformed URL holding credentials in config.toml is refused in one line that names the
    URL with its user and password masked, by `codetape upload`, `codetape status`, and the collector's
    background upload in its log."""
    (home / "config.toml").write_text(f"[upload]\n{settings}\n", encoding="utf-8")
    said = [codetape(home, "upload"), codetape(home, "status"), codetape(home, "status", "--json")]
    assert "must not hold credentials" in one_error_line(said[0], 2, "***@")
    assert "the upload destination is not usable" in said[1].stdout
    with running(home) as daemon:
        wait_for(lambda: "background upload failed" in daemon.log_text(), timeout=120,
                 what="the background upload to fail")
        said.append(codetape(home, "status"))
    assert "must not hold credentials" in said[-1].stdout and "***@" in daemon.log_text()
    for secret in secrets:
        for done in said:
            assert secret not in done.stdout + done.stderr
        assert secret not in daemon.log_text()


def test_the_collector_drains_the_outbox_at_start_and_after_each_signing(
        home: Path, recorded: tuple[Path, str], tmp_path: Path) -> None:
    eid = recorded[1]
    dest = tmp_path / "dest"
    configure(home, dest)

    def delivered(episode_id: str) -> bool:
        receipt = home / "receipts" / f"{episode_id}.json"
        return receipt.is_file() and bool(json.loads(receipt.read_text())["deliveries"])

    with running(home) as daemon:
        wait_for(lambda: delivered(eid), timeout=120, what="the episode waiting at start to be uploaded")
        shutil.copy(DIRECTORY / "full.ctape", home / "episodes" / "full.ctape")
        signed = codetape(home, "sign", str(home / "episodes" / "full.ctape"), "--yes")
        assert signed.returncode == 0, signed.stderr
        assert f"queued for upload to {dest.as_uri()}" in signed.stdout
        other = json.loads(codetape(home, "episodes", "--json").stdout)
        second = next(row["id"] for row in other if row["id"] != eid)
        wait_for(lambda: delivered(second), timeout=120,
                 what="the episode signed while the collector runs to be uploaded")
        assert daemon.client().request("status")["pid"] == daemon.proc.pid  # still serving
    assert len(list(dest.rglob("*.ctape"))) == 2
    assert "background upload started" in daemon.log_text()


def test_many_episodes_go_four_at_a_time_and_all_arrive(tmp_path: Path) -> None:
    """Forty signed episodes drained with the default concurrency: each arrives intact, once (the checks
    before sending read episodes side by side, each thread with its own zstd decompressor)."""
    home = Home(tmp_path / "home")
    home.ensure(home.root)
    assert codetape(home.root, "keys", "init", "--no-passphrase").returncode == 0
    paths = [signed_episode(home, 120_000, seed=seed) for seed in range(40)]
    dest = tmp_path / "dest"
    configure(home.root, dest)
    done = codetape(home.root, "upload")
    assert (done.returncode, done.stderr, len(done.stdout.splitlines())) == (0, "", 40), done
    stored = {path.read_bytes() for path in dest.rglob("*.ctape")}
    assert stored == {path.read_bytes() for path in paths}
    assert codetape(home.root, "upload").stdout.startswith("nothing to upload")
