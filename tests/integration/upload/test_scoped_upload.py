"""The managed policy governing each episode, checked again at upload (issue 95, item 2), on SeaweedFS: an
episode signed attributed before the scope governing its repository required unlinkable consent is held
(the run names it, `status` gives it one line) until its contributor signs it again with `sign
--unlinkable` (its attributed copy withdrawn from the outbox); a personal episode beside it leaves under the
top-level keys alone; `[[upload.route]]` sends each repository's episodes to its own bucket, a scope's
destinations binding its own episodes only; an unlinkable episode whose repository cannot be told stays
while a scope is installed. The policy is a file CODETAPE_POLICY adds,
with `[[scope]]` sections (tests/unit/policy/test_scopes.py reads policy.d's)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from collector.consent import init_keys
from collector.consent.statement import parse_statement, unpack_payload
from collector.episode import open_episode
from collector.held import MODE
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.upload.governing import remotes_path
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.policy.test_managed_policy import install
from tests.support.dataset_helpers import copied
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository
from tests.support.seaweed import SeaweedFS

SCOPE = """\
[[scope]]
name = "client A"
remotes = ["github.com/example/*"]
allowed_destinations = ["s3://{bucket}"]
"""
UNLINKABLE = '[scope.consent]\nmode = "unlinkable"\n'


def contractor(tmp_path: Path, issuer: Issuer, seaweed: SeaweedFS, bucket: str,
               name: str) -> tuple[Path, list[str]]:
    """Her home (own key, enrolled, uploading to `bucket`), the repository the golden episodes were
    recorded in, and both signed attributed into the outbox: `full` names client A's remote
    (github.com/example/pager), `minimal` none (her own work). Their ids, in that order."""
    home = tmp_path / "home"
    init_keys(Home(home))
    issuer.enrol(home, name, count=3)
    (home / "config.toml").write_text(f'[upload]\nto = "s3://{bucket}"\nendpoint_url = "{seaweed.endpoint}"\n'
                                      "[consent]\nmin_members = 1\n", encoding="utf-8")
    episode_repository(home, tmp_path, "pager")
    ids = []
    for golden in ("full", "minimal"):
        episode = tmp_path / f"{golden}.ctape"
        shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
        done = codetape(home, "sign", str(episode), "--yes")
        assert done.returncode == 0, done.stderr
        ids.append(str(open_episode(episode).header.episode_id))
    return home, ids


def authorised(path: Path) -> bool:
    consent = open_episode(path).consent
    assert consent is not None
    return parse_statement(unpack_payload(consent)[1]).reviewer.authorisation is not None


def test_an_attributed_episode_is_held_once_its_scope_requires_unlinkable_and_leaves_only_resigned(
        issuer: Issuer, seaweed: SeaweedFS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = seaweed.bucket("scoped-mode")
    policy = install(tmp_path / "etc-codetape", SCOPE.format(bucket=bucket))
    tmp_path.chmod(0o755)
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    home, (client, own) = contractor(tmp_path, issuer, seaweed, bucket, "held-contractor")
    install(policy.parent, SCOPE.format(bucket=bucket) + UNLINKABLE)  # the organisation requires it now

    done = codetape(home, "upload", env=seaweed.env())
    assert done.returncode == 0, done.stderr
    assert (f"{client[:8]} is held: it was signed attributed, and the managed policy ({policy}, scope "
            "'client A') requires unlinkable consent now: sign it again unlinkably with `codetape sign "
            f"--unlinkable {client[:8]} --yes`") in done.stdout
    assert f"{own[:8]}  uploaded to s3://{bucket}" in done.stdout  # her own: the top-level keys alone
    assert len(seaweed.keys(bucket)) == 2  # the personal episode and its manifest, nothing of client A's

    status = codetape(home, "status")
    held = [line for line in status.stdout.splitlines() if "held" in line]
    assert held == [f"{client[:8]} held: it was signed attributed, and the managed policy ({policy}, scope "
                    "'client A') requires unlinkable consent now: sign it again unlinkably with `codetape "
                    f"sign --unlinkable {client[:8]} --yes` (its attributed copy is withdrawn from the "
                    f"outbox), or withdraw it with `codetape revoke {client[:8]}`"], status.stdout
    named = codetape(home, "upload", client, env=seaweed.env())  # naming it changes nothing
    assert named.returncode == 0 and f"{client[:8]} is held" in named.stdout
    assert len(seaweed.keys(bucket)) == 2

    signed = codetape(home, "sign", "--unlinkable", client, "--yes")
    assert signed.returncode == 0, signed.stderr
    assert f"withdrew the attributed copy of {client} from the outbox" in signed.stdout
    outbox = Home(home).outbox
    assert authorised(outbox / f"{client}.ctape")
    assert not list(Home(home).episodes.glob("*.ctape")) and not list(outbox.glob(".*attributed"))
    again = codetape(home, "sign", "--unlinkable", client, "--yes")  # an episode is signed once
    assert again.returncode != 0 and "is signed unlinkably already" in again.stderr

    kept = remotes_path(Home(home), client).read_text(encoding="utf-8")
    assert json.loads(kept)["remotes"] == ["https://github.com/example/pager.git"]
    remotes_path(Home(home), client).unlink()  # which repository it was recorded in: not known any more
    done = codetape(home, "upload", "--now", env=seaweed.drop_env())
    assert done.returncode == 1 and len(seaweed.keys(bucket)) == 2
    assert (f"{client} stays: which repository {client[:8]} was recorded in cannot be told") in done.stderr

    remotes_path(Home(home), client).write_text(kept, encoding="utf-8")
    done = codetape(home, "upload", "--now", env=seaweed.drop_env())
    assert done.returncode == 0, done.stderr
    assert f"{client[:8]}  uploaded to s3://{bucket}" in done.stdout
    assert len(seaweed.keys(bucket)) == 4
    assert not (outbox / MODE).exists()
    assert "held" not in codetape(home, "status").stdout


def test_each_repository_goes_to_its_own_route_and_one_no_destination_may_take_waits(
        issuer: Issuer, seaweed: SeaweedFS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 95, item 4: `[[upload.route]]` sends a repository's episodes to its own bucket, each route
    checked against the scope governing it; an episode whose scope allows no configured destination waits,
    one line in `status`; `--to` elsewhere is refused by the transfer."""
    client_bucket, own_bucket = seaweed.bucket("scoped-client"), seaweed.bucket("scoped-own")
    policy = install(tmp_path / "etc-codetape", SCOPE.format(bucket=client_bucket))
    tmp_path.chmod(0o755)
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    home, (client, own) = contractor(tmp_path, issuer, seaweed, own_bucket, "routed-contractor")
    waits = (f"{client[:8]} waits: the managed policy ({policy}, scope 'client A') allows its uploads "
             f"only to s3://{client_bucket}, and no destination configured is one of them; add an "
             "[[upload.route]] for its repository to config.toml")

    done = codetape(home, "upload", env=seaweed.env())
    assert done.returncode == 0, done.stderr
    assert waits in done.stdout.splitlines()
    assert f"{own[:8]}  uploaded to s3://{own_bucket}" in done.stdout
    assert seaweed.keys(client_bucket) == [] and len(seaweed.keys(own_bucket)) == 2
    assert waits in codetape(home, "status").stdout.splitlines()

    with (home / "config.toml").open("a", encoding="utf-8") as config:  # one it does not allow, one it does
        config.write(f'[[upload.route]]\nremote = "github.com/example/*"\nto = "s3://{own_bucket}/elsewhere"\n'
                     f'[[upload.route]]\nremote = "https://GitHub.com/example/pager.git"\n'
                     f'to = "s3://{client_bucket}"\n')
    done = codetape(home, "upload", env=seaweed.env())
    assert done.returncode == 0, done.stderr
    assert f"{client[:8]}  uploaded to s3://{client_bucket}" in done.stdout and own[:8] not in done.stdout
    assert len(seaweed.keys(client_bucket)) == 2 and len(seaweed.keys(own_bucket)) == 2
    assert "waits" not in codetape(home, "status").stdout

    done = codetape(home, "upload", client, "--to", f"s3://{own_bucket}", env=seaweed.env())
    assert done.returncode == 1
    assert (f"{client} stays: the managed policy ({policy}, scope 'client A') allows its uploads only to "
            f"s3://{client_bucket}, and s3://{own_bucket} is none of them; nothing was sent") in done.stderr
    assert len(seaweed.keys(own_bucket)) == 2


CLIENT_A = """\
[[scope]]
name = "client A"
remotes = ["git.client-a.example/*"]
mandatory_exclude = ["secrets/"]
allowed_destinations = ["s3://{bucket}"]
[scope.consent]
mode = "unlinkable"
"""
CLIENT_B = """\
[[scope]]
name = "client B"
remotes = ["git.client-b.example/*", "git.client-a.example/shared/*"]
max_file_bytes = 16
allowed_destinations = ["s3://{bucket}/raw"]
[scope.consent]
mode = "attributed"
"""


def test_two_clients_in_policy_d_and_her_own_work_each_under_its_own_rules_to_its_own_bucket(
        issuer: Issuer, seaweed: SeaweedFS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 95, done when: client A's file and client B's in policy.d, and a personal repository; each
    repository's episodes are signed and uploaded to its own route under its own rules only (the
    statement naming only its own file), a repository both name is refused for their different modes. The
    system's folder is moved into the test's (`managed_path`), so the CLI runs in this process."""
    from collector.policy import managed_places

    buckets = {name: seaweed.bucket(f"two-clients-{name}") for name in ("a", "b", "own")}
    system = tmp_path / "etc" / "codetape"
    files = {name: install(system / "policy.d", text.format(bucket=buckets[name])).rename(
        system / "policy.d" / f"client-{name}.toml") for name, text in (("a", CLIENT_A), ("b", CLIENT_B))}
    monkeypatch.setattr(managed_places, "managed_path", lambda env=None: system / "policy.toml")
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "home"
    init_keys(Home(home))
    issuer.enrol(home, "two-clients", count=3)
    (home / "config.toml").write_text(
        f'[upload]\nto = "s3://{buckets["own"]}"\nendpoint_url = "{seaweed.endpoint}"\n'
        f'[[upload.route]]\nremote = "git.client-a.example/*"\nto = "s3://{buckets["a"]}"\n'
        f'[[upload.route]]\nremote = "git.client-b.example/*"\nto = "s3://{buckets["b"]}/raw"\n'
        "[consent]\nmin_members = 1\n", encoding="utf-8")
    episode_repository(home, tmp_path, "project")  # the generated sessions' workspace (unlinkable signing)
    remotes = {"a": "git@git.client-a.example:platform/app.git", "b": "https://git.client-b.example/site/web",
               "own": "git@github.com:alice/dotfiles.git", "both": "git.client-a.example:shared/tools.git"}
    made = {name: copied(Home(home), number + 1, number, remote)
            for number, (name, remote) in enumerate(remotes.items())}
    ids = {name: path.name.removesuffix(".ctape") for name, path in made.items()}

    refused = codetape(home, "sign", str(made["a"]), "--yes")  # client A's: unlinkable only
    assert refused.returncode != 0 and "scope 'client A') requires unlinkable consent" in refused.stderr
    refused = codetape(home, "sign", str(made["b"]), "--unlinkable", "--yes")  # client B's: attributed only
    assert refused.returncode != 0 and "scope 'client B') requires attributed consent" in refused.stderr
    refused = codetape(home, "sign", str(made["both"]), "--yes")  # both name it: no share meets both
    assert refused.returncode != 0 and "require different consent modes (attributed and unlinkable)" in \
        refused.stderr
    codetape(home, "sign", str(made["a"]), "--unlinkable", "--yes", check=True)
    codetape(home, "sign", str(made["b"]), "--yes", check=True)
    codetape(home, "sign", str(made["own"]), "--yes", check=True)
    caps = {}  # what recording is bound by in a clone of each (the collector's settings: policy/effective.py)
    for name in ("a", "b", "own"):
        clone = episode_repository(home, tmp_path / name, f"clone-{name}")
        subprocess.run(["git", "-C", str(clone), "remote", "add", "origin", remotes[name]], check=True)
        caps[name] = effective_settings(clone, Home(home)).settings
    assert [caps[name].max_file_bytes for name in ("a", "b", "own")] == [2 * 1024 * 1024, 16, 2 * 1024 * 1024]
    assert [caps[name].policy.mandatory_exclude for name in ("a", "b", "own")] == [["secrets/"], [], []]

    terms = {}
    for name in ("a", "b", "own"):
        consent = open_episode(Home(home).outbox / f"{ids[name]}.ctape").consent
        assert consent is not None
        terms[name] = json.loads(unpack_payload(consent)[1])["terms"]
    digest = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
    assert terms["a"].get("managed_scope_sha256") == digest["a"] and "managed_policy_sha256" not in terms["a"]
    assert terms["b"].get("managed_scope_sha256") == digest["b"]
    assert "managed_scope_sha256" not in terms["own"] and "managed_policy_sha256" not in terms["own"]

    done = codetape(home, "upload", "--now")
    assert done.returncode == 0, done.stderr
    for name, where in (("a", f"s3://{buckets['a']}"), ("b", f"s3://{buckets['b']}/raw"),
                        ("own", f"s3://{buckets['own']}")):
        assert f"{ids[name][:8]}  uploaded to {where}" in done.stdout, done.stdout
    assert [len(seaweed.keys(bucket)) for bucket in buckets.values()] == [2, 2, 2]
    assert all(key.startswith("raw/") for key in seaweed.keys(buckets["b"]))
