"""The receiver's Ed25519 key: it signs what a receiver attests about its datasets (purge reports,
purge_report.py), never a contributor's episode.

It lives apart from the contributor's signing key (consent/keys.py), in CODETAPE_HOME/receiver (0700), as
the issuer keeps its identity key (issuer/state.py): `identity.key`, PKCS#8 PEM (0600), protected by the
folder's permissions only, and `receiver.pub`, the public key in base64 on one line, to hand to
contributors and auditors (`codetape dataset key show`). Its id is the first 16 hex digits of the public
key's SHA-256, as for every codetape key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from collector.atomic import atomic_write
from collector.consent.errors import KeyProblem
from collector.consent.keys import KeyInfo, decode_public, encode_public, key_id
from collector.home import Home, read_private

FOLDER = "receiver"
KEY_FILE = "identity.key"
PUBLIC_FILE = "receiver.pub"
_MAX_KEY_FILE = 64 * 1024


def receiver_folder(home: Home) -> Path:
    return home.root / FOLDER


def init_receiver_key(home: Home, *, force: bool = False) -> KeyInfo:
    """Make the receiver's key pair (refusing to replace one unless `force`)."""
    folder = receiver_folder(home)
    path = folder / KEY_FILE
    if path.exists() and not force:
        raise KeyProblem(f"a receiver key already exists at {path} (codetape dataset key show prints it; "
                         "--force replaces it, and reports signed with the old one then verify only "
                         "against the old public key)")
    home.ensure(folder)
    os.chmod(folder, 0o700)
    private = Ed25519PrivateKey.generate()
    atomic_write(path, private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    atomic_write(folder / PUBLIC_FILE, encode_public(public) + "\n")
    return KeyInfo(public, key_id(public))


def load_receiver_key(home: Home) -> tuple[Ed25519PrivateKey, KeyInfo]:
    """The receiver's private key and its public half; KeyProblem (one line) when there is none or it is
    not safe to use."""
    path = receiver_folder(home) / KEY_FILE
    data = read_private(path, _MAX_KEY_FILE, KeyProblem,
                        missing=f"no receiver key in {path.parent} (create one: codetape dataset key init)")
    try:
        private = load_pem_private_key(data, password=None) if len(data) <= _MAX_KEY_FILE else None
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 private key (PKCS#8 PEM)")
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private, KeyInfo(public, key_id(public))


def public_key_from(text: str) -> bytes:
    """A receiver's public key given as its base64 or as a file holding it (receiver.pub); KeyProblem."""
    candidate = Path(text).expanduser()
    if candidate.is_file():
        try:
            lines = [line.strip() for line in candidate.read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyProblem(f"cannot read the receiver's public key from {candidate}: {exc}") from None
        text = next((line for line in lines if line and not line.startswith("#")), "")
    try:
        return decode_public(text)
    except ValueError as exc:
        raise KeyProblem(f"--key: {exc} (give the receiver's public key, or its receiver.pub file)") from None
