"""The reviewer's key pair: file modes, passphrase sealing, refusals with one actionable line."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import unicodedata
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from collector.consent import KeyProblem, init_keys, load_public
from collector.consent.keys import PUBLIC_FILE, key_id, key_path, load_private
from collector.home import Home


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


def test_init_writes_a_0600_private_key_in_a_0700_directory_and_a_public_file(home: Home) -> None:
    info = init_keys(home)
    assert mode(home.keys) == 0o700
    assert mode(key_path(home)) == 0o600
    assert (home.keys / PUBLIC_FILE).read_text(encoding="ascii") == info.public_b64 + "\n"
    assert info.key_id == hashlib.sha256(info.public_key).hexdigest()[:16] == key_id(info.public_key)
    assert len(info.public_key) == 32 and not info.protected
    assert load_public(home) == info
    private, loaded = load_private(home, None)
    assert loaded == info
    assert private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) == info.public_key


def test_init_tightens_an_existing_keys_directory(home: Home) -> None:
    home.keys.mkdir(parents=True, mode=0o755)
    os.chmod(home.keys, 0o755)
    init_keys(home)
    assert mode(home.keys) == 0o700


def test_a_passphrase_seals_the_private_key_at_rest(home: Home) -> None:
    info = init_keys(home, passphrase="correct horse")
    text = key_path(home).read_text(encoding="utf-8")
    private, _ = load_private(home, "correct horse")
    seed = private.private_bytes_raw()
    assert base64.b64encode(seed).decode() not in text and seed.hex() not in text
    assert seed not in key_path(home).read_bytes()
    document = json.loads(text)
    assert document["private"]["encoding"] == "scrypt+chacha20-poly1305"
    assert "seed" not in document["private"]
    assert info.protected and load_public(home).protected


def test_a_protected_key_cannot_be_used_without_its_passphrase(home: Home) -> None:
    info = init_keys(home, passphrase="s3cret")
    with pytest.raises(KeyProblem, match=f"signing key {info.key_id} is protected by a passphrase; give it"):
        load_private(home, None)
    with pytest.raises(KeyProblem, match=f"wrong passphrase for signing key {info.key_id}"):
        load_private(home, "s3cret ")
    load_private(home, "s3cret")


def test_passphrases_are_compared_in_one_unicode_normal_form(home: Home) -> None:
    composed = "caf\u00e9"
    init_keys(home, passphrase=composed)
    load_private(home, unicodedata.normalize("NFD", composed))


def test_an_empty_passphrase_is_refused(home: Home) -> None:
    with pytest.raises(KeyProblem, match="an empty passphrase protects nothing"):
        init_keys(home, passphrase="")
    assert not key_path(home).exists()


def test_init_refuses_to_replace_a_key_unless_forced(home: Home) -> None:
    first = init_keys(home)
    with pytest.raises(KeyProblem, match=f"already exists \\({first.key_id}\\).*keys init --force"):
        init_keys(home)
    assert load_public(home) == first
    second = init_keys(home, force=True)
    assert second.key_id != first.key_id and load_public(home) == second


def test_a_key_file_other_users_can_read_is_refused(home: Home) -> None:
    init_keys(home)
    os.chmod(key_path(home), 0o644)
    with pytest.raises(KeyProblem, match=r"accessible by other users \(mode 0644\); run: chmod 600"):
        load_private(home, None)


def test_missing_and_damaged_key_files_are_named(home: Home) -> None:
    with pytest.raises(KeyProblem, match=r"no signing key in .*create one: codetape keys init"):
        load_public(home)
    init_keys(home)
    path = key_path(home)
    document = json.loads(path.read_text(encoding="utf-8"))
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    swapped = {**document, "public_key": base64.b64encode(other).decode()}
    path.write_text(json.dumps(swapped), encoding="utf-8")
    with pytest.raises(KeyProblem, match="does not match its public key"):
        load_private(home, None)
    path.write_text(json.dumps({**document, "private": {"encoding": "raw", "seed": "%%"}}), encoding="utf-8")
    with pytest.raises(KeyProblem, match="field 'seed' is missing or not base64"):
        load_private(home, None)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(KeyProblem, match="is not a codetape codetape-key/v1 Ed25519 key file"):
        load_public(home)


def test_hostile_passphrase_parameters_are_refused_before_deriving(home: Home) -> None:
    init_keys(home, passphrase="pw")
    path = key_path(home)
    document = json.loads(path.read_text(encoding="utf-8"))
    for bad in ({"n": 2**30}, {"n": 3}, {"r": 1000}, {"p": True}, {"n": "16"}):
        sealed = {**document, "private": {**document["private"], **bad}}
        path.write_text(json.dumps(sealed), encoding="utf-8")
        with pytest.raises(KeyProblem, match="passphrase parameters are damaged or out of range"):
            load_private(home, "pw")
