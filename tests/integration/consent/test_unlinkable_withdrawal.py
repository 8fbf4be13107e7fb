"""Withdrawal in unlinkable mode, through the real CLI: `codetape revoke` signs with the episode's own key
(from the home that signed it, no passphrase), another home cannot; `revoke --all` asks first and withdraws
every episode this home signed; `keys export` / `keys import` back the episode keys up encrypted, and a
stale backup never makes a used key usable again."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from collector.consent.episode_keys import stored_keys, take_key, unused_counts, used_keys
from collector.consent.errors import KeyProblem
from collector.consent.keys import decode_public
from collector.consent.statement import parse_statement, unpack_payload
from collector.consent.unlinkable import epoch_of
from collector.episode import open_episode
from collector.home import Home
from collector.protocol.clock import utc_now
from collector.upload.revocation import check_revocation
from tests.cli import codetape
from tests.fixtures.make_golden import DIRECTORY
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository


def signed(home: Path, tmp_path: Path, golden: str) -> Path:
    """The golden episode `golden` signed unlinkable by `home` into its outbox."""
    episode = tmp_path / f"{golden}.ctape"
    shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
    episode_repository(home, tmp_path, open_episode(episode).header.workspace.root_name)
    done = codetape(home, "sign", str(episode), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    path = next(path for path in Home(home).outbox.glob("*.ctape")
                if path.name.startswith(str(open_episode(episode).header.episode_id)))
    return path


def episode_public_key(path: Path) -> bytes:
    consent = open_episode(path).consent
    assert consent is not None
    return decode_public(parse_statement(unpack_payload(consent)[1]).reviewer.public_key)


def test_revoke_signs_with_the_episodes_own_key_and_nobody_else_can(issuer: Issuer, tmp_path: Path) -> None:
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    issuer.enrol(alice, "alice-r", count=3)
    issuer.enrol(bob, "bob-r", count=3)
    (alice / "config.toml").write_text("[consent]\nmin_members = 2\n", encoding="utf-8")  # 2 members
    episode = signed(alice, tmp_path, "full")
    drop = tmp_path / "drop"
    done = codetape(alice, "upload", "--now", "--to", drop.as_uri())  # not after its random delay
    assert done.returncode == 0, done.stderr
    assert len(list((drop / "episodes").glob("*.ctape"))) == 1

    stolen = tmp_path / "stolen.ctape"
    shutil.copy(episode, stolen)
    refused = codetape(bob, "revoke", str(stolen))
    assert refused.returncode == 1
    assert "which this home does not hold: only its signer can revoke it" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert list((drop / "episodes").glob("*.revocation.json")) == []

    # no signing key of her own, no passphrase asked; --now: the record is written at once, not at a random
    # time of its own (tests/integration/upload/test_unlinkable_timing.py)
    done = codetape(alice, "revoke", str(episode), "--now")
    assert done.returncode == 0, done.stderr
    records = list((drop / "episodes").glob("*.revocation.json"))
    assert len(records) == 1
    statement = check_revocation(records[0].read_bytes(), public_key=episode_public_key(episode))
    assert statement.episode_id == open_episode(episode).header.episode_id
    assert stat.S_IMODE(next((Home(alice).enrolment / "batches").iterdir()).stat().st_mode) == 0o600


def test_revoke_all_asks_first_then_withdraws_every_episode_this_home_signed(issuer: Issuer,
                                                                             tmp_path: Path) -> None:
    home = tmp_path / "home"
    issuer.enrol(home, "carol-r", count=3)
    first, second = signed(home, tmp_path, "full"), signed(home, tmp_path, "minimal")
    done = codetape(home, "revoke", "--all")
    assert done.returncode == 2
    assert done.stderr == "codetape: not revoked: --all withdraws 2 episodes; run it again with --yes\n"
    done = codetape(home, "revoke", "--all", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("revoked 2 of 2 episodes\n")
    for path in (first, second):
        eid = open_episode(path).header.episode_id
        record = (Home(home).receipts / f"{eid}.revocation.json").read_bytes()
        check_revocation(record, public_key=episode_public_key(path))
    done = codetape(home, "revoke", "--all", "--yes")
    assert done.returncode == 0 and "nothing to revoke" in done.stdout
    done = codetape(home, "revoke", str(first), "--all")
    assert done.returncode == 2 and "name the EPISODE to revoke, or --all" in done.stderr


def test_keys_export_and_import_restore_revocation_and_never_make_a_used_key_usable(
        issuer: Issuer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    issuer.enrol(home, "dave-r", count=3)
    episode = signed(home, tmp_path, "full")
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple\n")
    backup = tmp_path / "keys.backup"
    done = codetape(home, "keys", "export", "-o", str(backup), "--passphrase-file", str(passphrase))
    assert done.returncode == 0, done.stderr
    assert "backed up 3 episode keys" in done.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    seeds = [key.seed for key in stored_keys(Home(home))]
    assert not any(seed.hex() in backup.read_text() or seed in backup.read_bytes() for seed in seeds)

    epoch = epoch_of(utc_now())
    take_key(Home(home), epoch)  # a key used after the backup was made
    assert unused_counts(Home(home)) == {epoch: 1}
    done = codetape(home, "keys", "import", str(backup), "--passphrase-file", str(passphrase))
    assert done.returncode == 0, done.stderr
    assert unused_counts(Home(home)) == {epoch: 1}  # the stale backup brought back nothing

    wrong = tmp_path / "wrong"
    wrong.write_text("not it\n")
    done = codetape(tmp_path / "new", "keys", "import", str(backup), "--passphrase-file", str(wrong))
    assert done.returncode == 1
    assert done.stderr.startswith("codetape: wrong passphrase for the episode keys' backup")

    kept = tmp_path / "kept.ctape"  # the episode, as the receiver holds it
    shutil.copy(episode, kept)
    shutil.rmtree(home)  # the machine is lost; the backup is restored in a new home
    new = tmp_path / "new"
    done = codetape(new, "keys", "import", str(backup), "--passphrase-file", str(passphrase))
    assert done.returncode == 0, done.stderr
    assert "imported 3 episode keys (1 batch files new to this home); 3 newly marked used" in done.stdout
    assert len(used_keys(Home(new))) == 3 and unused_counts(Home(new)) == {}
    with pytest.raises(KeyProblem):
        take_key(Home(new), epoch)
    done = codetape(new, "revoke", str(kept))  # the restored key still revokes its episode
    assert done.returncode == 0, done.stderr
    eid = open_episode(kept).header.episode_id
    record = (Home(new).receipts / f"{eid}.revocation.json").read_bytes()
    assert check_revocation(record, public_key=episode_public_key(kept)).episode_id == eid
