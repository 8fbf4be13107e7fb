"""Issue 92, Done when: unlinkable episodes reach the store through an Oblivious HTTP relay and gateway,
and nobody on the road learns more than their part.

Every piece is real and listens on a loopback address of its own: the client (`codetape upload`), nginx
as the relay (127.0.0.3), a recording hop (127.0.0.7) in front of `codetape gateway serve` (127.0.0.4), a
hop (127.0.0.5) in front of SeaweedFS, and a hop (127.0.0.6) in front of the issuer. Two members
(`min_members = 2`) each sign an unlinkable episode and upload it with `--now`; the contributors hold no
S3 credential at all, the gateway the write-only drop identity. The module's road is set up once."""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from collector.consent.statement import unpack_payload
from collector.due import due_path, revocation_name
from collector.episode import open_episode
from collector.home import Home
from collector.ohttp import bhttp
from collector.ohttp.encapsulation import seal_request
from collector.ohttp.keys import new_key, parse_config_hex
from collector.ohttp.padding import bucket
from collector.protocol.clock import utc_now
from collector.upload.relay import AUTHORITY, REQUEST_TYPE, Route, exchange
from tests.cli import codetape, codetape_process
from tests.cli import codetape as in_process
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.policy.test_managed_policy import install
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository
from tests.support.relay import Gateway, Hop, Relay, free_port
from tests.support.seaweed import SeaweedFS

NO_CREDENTIAL = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                 "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_EC2_METADATA_DISABLED": "true"}
SEALING = 55  # what sealing adds to a padded request: its header, HPKE's enc, the AEAD tag
RUN = 32  # no run of this many bytes of what was uploaded may cross the relay in clear
MEMBERS = {"alice": "full", "bob": "minimal"}


@dataclass
class Road:
    base: Path
    bucket: str
    homes: dict[str, Path]
    episodes: dict[str, Path]  # member -> their signed episode
    uploads: dict[str, str]  # member -> what `upload --now` printed
    gateway: Gateway
    relay: Relay
    to_gateway: Hop
    to_store: Hop
    to_issuer: Hop
    issuer_during_uploads: int  # connections the issuer had while the uploads ran


def config(road_bucket: str, relay: Relay, gateway: Gateway) -> str:
    return (f'[upload]\nto = "s3://{road_bucket}/team"\nrelay = "{relay.url}"\ngateway_key = '
            f'"{gateway.key_config}"\n[consent]\nmode = "unlinkable"\nmin_members = 2\n')


@pytest.fixture(scope="module")
def road(issuer: Issuer, seaweed: SeaweedFS, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Road]:
    base = tmp_path_factory.mktemp("relay")
    bucket = seaweed.bucket("relay-drop")
    homes = {name: base / name for name in MEMBERS}
    # enrolled before the gateway starts, so that the copy of the record it serves counts them
    for name, home in homes.items():
        issuer.enrol(home, name, count=3)
    to_store = Hop("127.0.0.5", ("127.0.0.1", seaweed.ports["s3"]))
    issuer_host, issuer_port = issuer.url.removeprefix("http://").split(":")
    to_issuer = Hop("127.0.0.6", (issuer_host, int(issuer_port)))
    gateway = Gateway(base / "gateway", "127.0.0.4", f"s3://{bucket}/team", to_store.url, to_issuer.url,
                      seaweed.drop_env())
    to_gateway = Hop("127.0.0.7", gateway.address)
    relay = Relay(base / "relay", "127.0.0.3", to_gateway.url)
    try:
        episodes = {}
        for name, golden in MEMBERS.items():
            home = homes[name]
            (home / "config.toml").write_text(config(bucket, relay, gateway), encoding="utf-8")
            episode = base / f"{name}.ctape"
            shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
            episode_repository(home, base / name, open_episode(episode).header.workspace.root_name)
            done = in_process(home, "sign", str(episode), "--yes")
            assert done.returncode == 0, done.stderr
            [episodes[name]] = Home(home).outbox.glob("*.ctape")  # as signed: what leaves
        before = to_issuer.count()
        uploads = {}
        for name, home in homes.items():
            done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)
            assert done.returncode == 0, done.stdout + done.stderr
            uploads[name] = done.stdout
        yield Road(base, bucket, homes, episodes, uploads, gateway, relay, to_gateway, to_store, to_issuer,
                   to_issuer.count() - before)
    finally:
        relay.stop()
        gateway.stop()
        for hop in (to_gateway, to_store, to_issuer):
            hop.close()


def runs(data: bytes) -> set[bytes]:
    return {data[at:at + RUN] for at in range(len(data) - RUN + 1)}


def test_both_episodes_and_their_manifests_are_in_the_bucket(road: Road, seaweed: SeaweedFS) -> None:
    keys = seaweed.keys(road.bucket)
    assert sum(key.endswith(".ctape") for key in keys) == 2, road.uploads
    assert sum(key.endswith(".json") for key in keys) == 2
    assert all(key.startswith("team/episodes/") for key in keys)
    for name, episode in road.episodes.items():
        assert "uploaded to s3://" in road.uploads[name], road.uploads[name]
        stored = seaweed.client().get_object(Bucket=road.bucket, Key=f"team/episodes/{_sha(episode)}.ctape")
        assert stored["Body"].read() == episode.read_bytes()


def test_an_episode_that_left_says_which_month_s_count_let_it_and_status_says_it_too(road: Road) -> None:
    for name, episode in road.episodes.items():
        eid = str(open_episode(episode).header.episode_id)[:8]
        said = re.search(rf"^{eid}  left with (\d+) members counted for (\d{{4}}-\d{{2}}) \(k = 2; the "
                         r"issuer's count, its word\)$", road.uploads[name], re.MULTILINE)
        assert said is not None and int(said.group(1)) >= 2, road.uploads[name]
        status = codetape_process(road.homes[name], "status").stdout
        line = f"  {eid}  left with {said.group(1)} members counted for {said.group(2)} (k = 2;"
        assert line in status, status


def test_only_the_gateway_wrote_to_the_store_and_only_the_relay_reached_the_gateway(road: Road) -> None:
    assert road.to_store.pids() == {road.gateway.proc.pid}
    assert road.to_gateway.count() >= 4 and road.to_gateway.pids() <= road.relay.pids()


def test_the_issuer_hears_nothing_during_the_upload_runs(road: Road) -> None:
    assert road.issuer_during_uploads == 0
    assert road.to_issuer.pids() == {road.gateway.proc.pid}  # its copy of the record, fetched at its start


def test_the_relay_passes_on_no_run_of_anything_uploaded(road: Road, seaweed: SeaweedFS) -> None:
    crossed = runs(road.to_gateway.sent())
    admin = seaweed.client()
    for episode in road.episodes.values():
        key = f"team/episodes/{_sha(episode)}.json"
        manifest = admin.get_object(Bucket=road.bucket, Key=key)["Body"].read()
        consent = open_episode(episode).consent
        assert consent is not None
        statement = unpack_payload(consent)[1]
        for what, data in (("episode", episode.read_bytes()), ("manifest", manifest),
                           ("statement", statement)):
            assert not runs(data) & crossed, f"a {RUN}-byte run of the {what} crossed the relay in clear"


def test_every_sealed_request_the_relay_passed_on_is_one_bucket_long(road: Road) -> None:
    """Before any test here posts bytes of its own: the upload runs' requests only."""
    lengths = [int(match.group(1)) for connection in road.to_gateway.connections
               for match in re.finditer(rb"(?i)content-length: (\d+)\r\n", bytes(connection.sent))]
    assert len(lengths) >= 4, lengths  # two episodes, two manifests, the record's reads
    assert all(bucket(length - SEALING) == length - SEALING for length in lengths), lengths
    episodes = sorted(road.episodes.values(), key=lambda path: path.stat().st_size)
    assert episodes[0].stat().st_size != episodes[1].stat().st_size


def test_refusals_look_alike_and_what_does_not_open_gets_the_one_plain_error(road: Road) -> None:
    route = Route(road.relay.url, parse_config_hex(road.gateway.key_config), 30.0)
    sha = _sha(road.episodes["alice"])
    asked = [bhttp.Request("GET", "https", AUTHORITY, f"/episodes/{sha}.ctape"),  # a read
             bhttp.Request("GET", "https", AUTHORITY, "/episodes/"),  # a list
             bhttp.Request("PUT", "https", AUTHORITY, f"/elsewhere/{sha}.ctape", (), b"x"),  # outside
             bhttp.Request("PUT", "https", AUTHORITY, f"/episodes/{sha}.ctape", (("if-none-match", "*"),),
                           b"not the episode")]  # not what its name says, and no checksum
    answers = {bhttp.encode_response(exchange(route, request)) for request in asked}
    assert answers == {bhttp.encode_response(bhttp.Response(403))}
    sealed, _ = seal_request(route.key, bhttp.encode_request(asked[0]))
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    plain = [_post(road.relay.url, tampered), _post(road.relay.url, b"\x00" * 80),
             _post(road.relay.url, sealed, kind="application/octet-stream")]
    assert len(set(plain)) == 1 and plain[0][0] == 400, plain


def test_a_receiver_s_build_accepts_the_episodes_that_came_through_the_relay(road: Road, issuer: Issuer,
                                                                             seaweed: SeaweedFS) -> None:
    receiver = road.base / "receiver"
    receiver.mkdir()
    (receiver / "config.toml").write_text(f'[upload]\nendpoint_url = "{seaweed.endpoint}"\n',
                                          encoding="utf-8")
    record = issuer.export(road.base / "ISSUER.pub")
    assert record
    out = road.base / "dataset"
    done = codetape_process(receiver, "dataset", "build", f"s3://{road.bucket}/team", "-o", str(out),
                            "--trust-issuer", str(road.base / "ISSUER.pub"), "--min-contributors", "2",
                            "--workers", "1",
                            env=seaweed.env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 new episodes" in done.stdout and "2 accepted, 0 rejected" in done.stdout, done.stdout


def test_a_revocation_goes_through_a_relay_that_adds_forwarding_headers_and_the_gateway_keeps_none(
        road: Road, seaweed: SeaweedFS) -> None:
    forwarding = Relay(road.base / "relay-forwarding", "127.0.0.3", road.to_gateway.url, forwarded=True)
    try:
        home = road.homes["alice"]
        (home / "config.toml").write_text(config(road.bucket, forwarding, road.gateway), encoding="utf-8")
        eid, sha = str(open_episode(road.episodes["alice"]).header.episode_id), _sha(road.episodes["alice"])
        done = codetape(home, "revoke", eid)
        assert done.returncode == 0, done.stderr
        due_path(Home(home), revocation_name(eid)).write_text((utc_now() - timedelta(seconds=1)).isoformat())
        seen = len(road.to_gateway.sent())
        done = codetape_process(home, "upload", env=NO_CREDENTIAL)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "revocation record written" in done.stdout, done.stdout
    finally:
        forwarding.stop()
    keys = seaweed.keys(road.bucket)
    assert f"team/episodes/{sha}.revocation.json" in keys
    assert b"X-Forwarded-For: 127.0.0.1" in road.to_gateway.sent()[seen:]  # the relay did add them
    assert road.to_store.pids() == {road.gateway.proc.pid}
    log = road.gateway.log.read_text(encoding="utf-8")
    assert "127.0.0" not in log and "for=" not in log.lower() and "forwarded" not in log.lower(), log


def test_a_withdrawal_retried_by_hand_reaches_the_store_through_the_relay_with_no_credential_here(
        road: Road, seaweed: SeaweedFS) -> None:
    home = road.homes["bob"]
    eid, sha = str(open_episode(road.episodes["bob"]).header.episode_id), _sha(road.episodes["bob"])
    down = f"http://127.0.0.3:{free_port('127.0.0.3')}/gateway"  # nothing listens: the first try fails
    good = config(road.bucket, road.relay, road.gateway)
    (home / "config.toml").write_text(good.replace(road.relay.url, down), encoding="utf-8")
    done = codetape_process(home, "revoke", "--now", eid, env=NO_CREDENTIAL)
    assert done.returncode == 1 and f"retry: codetape revoke --now {eid}" in done.stderr, done.stderr
    assert f"team/episodes/{sha}.revocation.json" not in seaweed.keys(road.bucket)
    (home / "config.toml").write_text(good, encoding="utf-8")
    relayed = road.to_gateway.count()
    done = codetape_process(home, "revoke", "--now", eid, env=NO_CREDENTIAL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"record written at s3://{road.bucket}/team" in done.stdout, done.stdout
    stored = seaweed.client().get_object(Bucket=road.bucket, Key=f"team/episodes/{sha}.revocation.json")
    assert stored["Body"].read() == (Home(home).receipts / f"{eid}.revocation.json").read_bytes()
    reached = road.to_gateway.connections[relayed:]
    assert reached and {c.pid for c in reached} <= road.relay.pids()
    assert road.to_store.pids() == {road.gateway.proc.pid}


def test_under_a_policy_that_requires_the_relay_an_episode_waits_for_it_and_for_its_key_then_leaves(
        road: Road, seaweed: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> None:
    home = road.homes["alice"]
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway), encoding="utf-8")
    episode = road.base / "alice-second.ctape"
    shutil.copy(DIRECTORY / "minimal.ctape", episode)
    episode_repository(home, road.base / "alice", open_episode(episode).header.workspace.root_name)
    done = in_process(home, "sign", str(episode), "--yes")
    assert done.returncode == 0, done.stderr
    eid = str(open_episode(episode).header.episode_id)
    sha = _sha(Home(home).outbox / f"{eid}.ctape")  # as signed: what leaves
    road.base.chmod(0o755)
    policy = install(road.base / "etc-codetape", "[relay]\nrequired = true\n")
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    direct = f'[upload]\nto = "s3://{road.bucket}/team"\n[consent]\nmode = "unlinkable"\nmin_members = 2\n'
    (home / "config.toml").write_text(direct, encoding="utf-8")
    keys = seaweed.keys(road.bucket)
    done = codetape_process(home, "upload", "--now", env=seaweed.drop_env())  # a credential: still not
    why = (f"the managed policy ({policy}) requires unlinkable episodes to leave through an Oblivious HTTP "
           "relay, and none is configured: set [upload] relay and gateway_key in config.toml")
    assert done.returncode == 0 and f"{eid[:8]} waits: {why}" in done.stdout, done.stdout + done.stderr
    status = codetape_process(home, "status").stdout
    assert [line for line in status.splitlines() if "waits:" in line] == [f"{eid[:8]} waits: {why} (the "
                                                                        "gateway's operator gives both)"]
    other = new_key().config.encode().hex()
    install(policy.parent, f'[relay]\nrequired = true\ngateway_key = "{other}"\n')
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway), encoding="utf-8")
    done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)
    assert done.returncode == 0 and "seals for another gateway key than the policy's" in done.stdout, \
        done.stdout + done.stderr
    assert seaweed.keys(road.bucket) == keys
    install(policy.parent, f'[relay]\nrequired = true\ngateway_key = "{road.gateway.key_config}"\n')
    pinned = f'gateway_key = "{road.gateway.key_config}"'
    unset = config(road.bucket, road.relay, road.gateway).replace(pinned, "")
    (home / "config.toml").write_text(unset, encoding="utf-8")  # the policy's key stands in for it
    done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)
    assert done.returncode == 0 and f"{eid[:8]}  uploaded to s3://{road.bucket}" in done.stdout, \
        done.stdout + done.stderr
    assert f"team/episodes/{sha}.ctape" in seaweed.keys(road.bucket)
    assert "waits:" not in codetape_process(home, "status").stdout


def test_allowed_destinations_are_matched_against_the_gateway_s_signed_descriptor(
        road: Road, seaweed: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> None:
    described = codetape_process(road.gateway.home, "gateway", "describe", "--to", f"s3://{road.bucket}/team")
    assert described.returncode == 0 and "signed by the operator key" in described.stderr, described.stderr
    descriptor = described.stdout.strip()
    home = road.homes["bob"]
    episode = road.base / "bob-second.ctape"
    shutil.copy(DIRECTORY / "full.ctape", episode)
    episode_repository(home, road.base / "bob", open_episode(episode).header.workspace.root_name)
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway), encoding="utf-8")
    done = in_process(home, "sign", str(episode), "--yes")
    assert done.returncode == 0, done.stderr
    eid = str(open_episode(episode).header.episode_id)
    sha = _sha(Home(home).outbox / f"{eid}.ctape")
    road.base.chmod(0o755)
    folder = road.base / "etc-codetape-descriptor"
    policy = install(folder, f'allowed_destinations = ["s3://{road.bucket}/team"]\n')
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)  # a bare key names no bucket
    assert done.returncode == 0 and "the gateway's bucket is not known" in done.stdout, done.stdout
    install(folder, f'allowed_destinations = ["s3://elsewhere"]\n[relay]\ngateway = "{descriptor}"\n')
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway).replace(
        f"s3://{road.bucket}/team", "s3://elsewhere"), encoding="utf-8")
    done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)  # `to` does not name the bucket
    assert done.returncode == 2 and f"the gateway writes to s3://{road.bucket}/team (its descriptor" in \
        done.stderr, done.stdout + done.stderr
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway), encoding="utf-8")
    done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)
    assert done.returncode == 2 and "allows uploads only to s3://elsewhere" in done.stderr, done.stderr
    assert f"team/episodes/{sha}.ctape" not in seaweed.keys(road.bucket)
    pinned = f'[relay]\ngateway = "{descriptor}"\n'
    install(folder, f'allowed_destinations = ["s3://{road.bucket}/team"]\n{pinned}')
    done = codetape_process(home, "upload", "--now", env=NO_CREDENTIAL)
    assert done.returncode == 0 and f"{eid[:8]}  uploaded to s3://{road.bucket}" in done.stdout, \
        done.stdout + done.stderr
    assert f"team/episodes/{sha}.ctape" in seaweed.keys(road.bucket)


def test_doctor_proves_the_road_and_says_in_one_line_when_the_key_is_not_the_gateway_s(
        road: Road, seaweed: SeaweedFS) -> None:
    home = road.base / "doctor"
    home.mkdir()
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway), encoding="utf-8")
    keys, written = seaweed.keys(road.bucket), road.to_store.count()
    relayed = road.to_gateway.count()
    checks = _doctor(home)
    assert checks["relay"]["state"] == "ok", checks["relay"]
    assert f"gateway key {parse_config_hex(road.gateway.key_config).key_id}" in checks["relay"]["detail"]
    assert road.to_gateway.count() > relayed  # it went through the relay to the gateway
    wrong = new_key().config.encode().hex()
    (home / "config.toml").write_text(config(road.bucket, road.relay, road.gateway).replace(
        road.gateway.key_config, wrong), encoding="utf-8")
    checks = _doctor(home)
    assert checks["relay"]["state"] == "problem" and "\n" not in checks["relay"]["detail"]
    assert "answered 400" in checks["relay"]["detail"] and "gateway_key" in checks["relay"]["detail"]
    assert seaweed.keys(road.bucket) == keys and road.to_store.count() == written  # nothing written


def _doctor(home: Path) -> dict[str, dict[str, str]]:
    done = codetape_process(home, "doctor", "--json", env=NO_CREDENTIAL)
    return {check["name"]: check for check in json.loads(done.stdout)["checks"]}


def _sha(episode: Path) -> str:
    import hashlib

    return hashlib.sha256(episode.read_bytes()).hexdigest()


def _post(url: str, body: bytes, kind: str = REQUEST_TYPE) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": kind})
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()
