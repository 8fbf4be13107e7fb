"""The issuer as a real process (`codetape issuer serve` on a free loopback port) and members enrolling
with `codetape enroll` from homes of their own: blind authorisations that verify against the exported
public record, quotas refused whole, one-time secrets, and an issuer that keeps nothing linking a member
to a key."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from collector.consent import blindrsa
from collector.consent.authorisation import (
    Authorisation,
    RecordError,
    read_record,
    sign_record,
    verify_authorisation,
)
from collector.consent.enrol import Transport, fetch_batch, http_transport, load_enrolment
from collector.consent.episode_keys import EpisodeKey, stored_keys
from collector.home import Home
from collector.protocol.clock import utc_now
from tests.cli import codetape
from tests.support.issuer import Issuer


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    server = Issuer(tmp_path).init()
    try:
        yield server.start()
    finally:
        server.stop()


def this_month() -> str:
    now = utc_now()
    return f"{now.year:04d}-{now.month:02d}"


def enroll(home: Path, issuer: Issuer, name: str, count: int) -> None:
    done = codetape(home, "enroll", issuer.url, "--secret", issuer.secrets[name], "--count", str(count))
    assert done.returncode == 0, done.stderr
    assert f"fetched {count} episode keys authorised for {this_month()}" in done.stdout


def test_two_members_enrol_and_every_authorisation_verifies_against_the_public_record(
        issuer: Issuer, tmp_path: Path) -> None:
    issuer.add_member("alice", 10)
    issuer.add_member("bob", 10)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    enroll(alice, issuer, "alice", 4)
    enroll(bob, issuer, "bob", 3)
    record = read_record(issuer.export(tmp_path / "ISSUER.pub"))
    assert record.months[this_month()].members == 2
    keys = {name: stored_keys(Home(home)) for name, home in (("alice", alice), ("bob", bob))}
    assert [len(batch) for batch in keys.values()] == [4, 3]
    every = keys["alice"] + keys["bob"]
    assert len({key.public_key for key in every}) == 7
    for key in every:
        assert key.epoch == this_month()
        assert verify_authorisation(record, key.public_key, key.authorisation) is None
    for home in (alice, bob):
        enrolment = Home(home).enrolment
        assert stat.S_IMODE(enrolment.stat().st_mode) == 0o700
        for path in [enrolment / "enrolment.json", *(enrolment / "batches").iterdir()]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

    key, other = keys["alice"][0], keys["bob"][0]
    signature = bytearray(key.authorisation.signature)
    signature[len(signature) // 2] ^= 1
    forged = dataclasses.replace(key.authorisation, signature=bytes(signature))
    assert "does not verify" in str(verify_authorisation(record, key.public_key, forged))
    assert "does not verify" in str(verify_authorisation(record, other.public_key, key.authorisation))
    moved = dataclasses.replace(key.authorisation, prefix=other.authorisation.prefix)
    assert "does not verify" in str(verify_authorisation(record, key.public_key, moved))
    relabelled = dataclasses.replace(key.authorisation, epoch="2001-01")
    assert "no key for 2001-01" in str(verify_authorisation(record, key.public_key, relabelled))
    foreign = dataclasses.replace(key.authorisation, issuer="0" * 16)
    assert "not " + record.issuer in str(verify_authorisation(record, key.public_key, foreign))

    exported = json.loads((tmp_path / "ISSUER.pub").read_bytes())
    exported["body"]["months"][this_month()]["members"] = 50  # a bigger anonymity set than there was
    with pytest.raises(RecordError, match="signature does not verify"):
        read_record(json.dumps(exported).encode())


def test_a_batch_beyond_the_quota_is_refused_whole_and_a_secret_works_once(issuer: Issuer,
                                                                           tmp_path: Path) -> None:
    secret = issuer.add_member("carol", 5)
    carol = tmp_path / "carol"
    done = codetape(carol, "enroll", issuer.url, "--secret", secret, "--count", "6")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("codetape: ")
    assert "quota: carol may take 5 more of 5 authorisations" in done.stderr
    assert "none was signed" in done.stderr
    assert stored_keys(Home(carol)) == []
    done = codetape(carol, "enroll", "--refresh", "--count", "5")  # the refused six counted nothing
    assert done.returncode == 0, done.stderr
    assert len(stored_keys(Home(carol))) == 5
    done = codetape(carol, "enroll", "--refresh", "--count", "1", "--month", this_month())
    assert done.returncode == 1
    assert "may take 0 more of 5" in done.stderr
    done = codetape(issuer.home, "issuer", "member", "list", "--json", "--dir", str(issuer.directory))
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"name": "carol", "quota": 5, "enrolled": True, "authorised": {this_month(): 5}}]

    thief = tmp_path / "thief"
    done = codetape(thief, "enroll", issuer.url, "--secret", secret, "--count", "1")
    assert done.returncode == 1
    assert done.stderr == ("codetape: the issuer refused: this enrolment secret is unknown or was used "
                           "already\n")
    assert not Home(thief).enrolment.exists()
    done = codetape(thief, "enroll", "--refresh", "--count", "1")
    assert done.returncode == 1 and "not enrolled" in done.stderr


def test_the_issuer_keeps_no_key_authorisation_or_blinded_message(issuer: Issuer, tmp_path: Path) -> None:
    """Every byte of the issuer's folder (database, its journal, log) and of the server's output, searched
    for what crossed the wire and what the members keep: per-episode public keys, authorisations,
    blinded messages and blind signatures, raw and in the encodings codetape writes them in."""
    issuer.add_member("dave", 20)
    issuer.add_member("erin", 20)
    dave, erin = tmp_path / "dave", tmp_path / "erin"
    enroll(dave, issuer, "dave", 3)
    enroll(erin, issuer, "erin", 2)
    wire: list[bytes] = []

    def recording(method: str, url: str, body: bytes | None, credential: str | None) -> tuple[int, bytes]:
        status, answer = http_transport(method, url, body, credential)
        if url.endswith("/v1/authorise"):
            assert body is not None
            wire.extend(base64.b64decode(item) for item in json.loads(body)["blinded"])
            wire.extend(base64.b64decode(item) for item in json.loads(answer)["blind_signatures"])
        return status, answer

    transport: Transport = recording
    fetch_batch(Home(dave), load_enrolment(Home(dave)), this_month(), 4, transport)
    assert len(wire) == 8
    issuer.stop()

    keys: list[EpisodeKey] = stored_keys(Home(dave)) + stored_keys(Home(erin))
    assert len(keys) == 9
    needles: list[bytes] = list(wire)
    for key in keys:
        authorisation: Authorisation = key.authorisation
        needles += [key.public_key, key.seed, authorisation.signature, authorisation.prefix]
    assert all(len(needle) >= 32 for needle in needles)
    haystack = [path for path in issuer.directory.rglob("*") if path.is_file()]
    haystack += [issuer.stdout, issuer.stderr]
    contents = {path: path.read_bytes() for path in haystack}
    assert any(b"dave" in data for data in contents.values())  # the search reads what the issuer wrote
    for needle in needles:
        forms = {needle, needle.hex().encode(), base64.b64encode(needle), base64.urlsafe_b64encode(needle),
                 needle[:16], needle[-16:]}
        for path, data in contents.items():
            for form in forms:
                assert form not in data, f"{path.name} holds a member's key material ({len(needle)} bytes)"
    assert os.path.getsize(issuer.directory / "issuer.sqlite3") > 0


def test_member_add_prints_the_secret_alone_on_its_last_line(issuer: Issuer, tmp_path: Path) -> None:
    done = codetape(issuer.home, "issuer", "member", "add", "frank", "--quota", "2", "--dir",
                    str(issuer.directory))
    assert done.returncode == 0, done.stderr
    secret = done.stdout.splitlines()[-1]
    assert secret.strip() == secret and " " not in secret and len(secret) >= 40
    issuer.secrets["frank"] = secret
    enroll(tmp_path / "frank", issuer, "frank", 2)
    done = codetape(issuer.home, "issuer", "member", "add", "frank", "--dir", str(issuer.directory))
    assert done.returncode == 1
    assert done.stderr == "codetape: there is already a member named 'frank'\n"


def test_a_month_key_other_than_the_published_records_is_refused(issuer: Issuer, tmp_path: Path) -> None:
    """An issuer that served one member a month key of its own could tell that member's episodes apart:
    with --issuer-record (the record receivers trust), enroll refuses the key the issuer serves when the
    record lists another for the month."""
    grace = tmp_path / "grace"
    secret = issuer.add_member("grace", 10)
    published = tmp_path / "ISSUER.pub"
    issuer.export(published)
    identity = load_pem_private_key((issuer.directory / "identity.key").read_bytes(), password=None)
    assert isinstance(identity, Ed25519PrivateKey)
    other = tmp_path / "OTHER.pub"
    other.write_bytes(sign_record(identity, "codetape issuer", "2026-11-25T00:00:00+00:00",
                                  {this_month(): (blindrsa.PrivateKey.generate(2048).public, 0)}))
    done = codetape(grace, "enroll", issuer.url, "--secret", secret, "--count", "2", "--issuer-record",
                    str(other))
    assert done.returncode == 1
    assert "serves a key for " + this_month() + " other than the record you gave lists" in done.stderr
    assert stored_keys(Home(grace)) == []
    done = codetape(grace, "enroll", "--refresh", "--count", "2", "--month", this_month(),
                    "--issuer-record", str(published))
    assert done.returncode == 0, done.stderr
    assert len(stored_keys(Home(grace))) == 2


def test_malformed_requests_get_one_line_answers_and_the_server_keeps_serving(issuer: Issuer) -> None:
    def post(path: str, body: bytes, credential: str | None = None) -> tuple[int, str]:
        status, answer = http_transport("POST", issuer.url + path, body, credential)
        return status, json.loads(answer)["error"]

    assert post("/v1/enrol", b"not json") == (400, "a request body is one JSON object")
    assert post("/v1/enrol", b"{}") == (400, "an enrolment needs the secret")
    status, error = post("/v1/authorise", json.dumps({"epoch": this_month(), "blinded": ["AAAA"]}).encode(),
                         "no such credential")
    assert (status, error) == (400, "a blinded message is not of this month's key")
    status, error = post("/v1/authorise", json.dumps({"epoch": "1999-01", "blinded": ["AAAA"]}).encode())
    assert status == 400 and "not 1999-01" in error
    record = read_record(http_transport("GET", issuer.url + "/v1/record", None, None)[1])
    size = record.months[this_month()].public_key.modulus_len
    blinded = base64.b64encode(b"\x01" * size).decode()
    status, error = post("/v1/authorise", json.dumps({"epoch": this_month(), "blinded": [blinded]}).encode(),
                         "no such credential")
    assert (status, error) == (401, "unknown member credential (enrol again with a new secret)")
    log = (issuer.directory / "issuer.log").read_text()
    assert "refused /v1/authorise: unknown member credential" in log
