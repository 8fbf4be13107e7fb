"""The reviewer's Ed25519 key pair under `Home.keys` (0700): `ed25519.key` (0600) and `ed25519.pub`.

`ed25519.key` is JSON: the public key in clear, and the 32-byte private seed either in clear or, with a
passphrase, sealed with ChaCha20-Poly1305 under a key derived by scrypt (N=2^17, r=8, p=1). The
public key is the associated data, so a seed cannot be moved under another public key. `ed25519.pub`
holds the public key in base64, one line, to hand to receivers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from collector.atomic import atomic_write
from collector.consent.errors import KeyProblem
from collector.home import Home, read_private
from collector.protocol.clock import utc_now

KEY_FILE = "ed25519.key"
PUBLIC_FILE = "ed25519.pub"
KEY_FORMAT = "codetape-key/v1"
SEALED = "scrypt+chacha20-poly1305"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_MAX_SCRYPT_N = 2**20
_MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True)
class KeyInfo:
    """A public key, its short id, and whether its private half needs a passphrase."""

    public_key: bytes
    key_id: str
    protected: bool = False

    @property
    def public_b64(self) -> str:
        return encode_public(self.public_key)


def key_id(public_key: bytes) -> str:
    """The short id of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def encode_public(public_key: bytes) -> str:
    return base64.b64encode(public_key).decode("ascii")


def decode_public(text: str) -> bytes:
    """A base64 Ed25519 public key (32 bytes); ValueError saying what is wrong."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a public key is 44 characters of base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return raw


def key_path(home: Home) -> Path:
    return home.keys / KEY_FILE


def init_keys(home: Home, *, passphrase: str | None = None, force: bool = False) -> KeyInfo:
    """Create the key pair (refusing to replace one unless `force`); sealed when a passphrase is given."""
    if passphrase == "":
        raise KeyProblem("an empty passphrase protects nothing: give none, or a real one")
    path = key_path(home)
    if path.exists() and not force:
        existing = _describe_existing(home)
        raise KeyProblem(f"a signing key already exists{existing} at {path} "
                         "(codetape keys init --force replaces it)")
    directory = home.ensure(home.keys)
    os.chmod(directory, 0o700)
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    document: dict[str, Any] = {
        "format": KEY_FORMAT, "algorithm": "ed25519", "public_key": encode_public(public),
        "key_id": key_id(public), "created_at": utc_now().isoformat(timespec="seconds"),
        "private": _seal(seed, public, passphrase) if passphrase is not None else
        {"encoding": "raw", "seed": _b64(seed)},
    }
    atomic_write(path, json.dumps(document, indent=2) + "\n")
    atomic_write(directory / PUBLIC_FILE, encode_public(public) + "\n")  # every file in the home is 0600
    return KeyInfo(public, key_id(public), passphrase is not None)


def load_public(home: Home) -> KeyInfo:
    """The public half of the key pair, read from the key file (no passphrase needed)."""
    document = _read(home)
    public = _public_of(document, key_path(home))
    return KeyInfo(public, key_id(public), document["private"].get("encoding") == SEALED)


def load_private(home: Home, passphrase: str | None) -> tuple[Ed25519PrivateKey, KeyInfo]:
    """The signing key; KeyProblem names a missing or wrong passphrase, or a damaged file."""
    path = key_path(home)
    document = _read(home)
    public = _public_of(document, path)
    info = KeyInfo(public, key_id(public), document["private"].get("encoding") == SEALED)
    private = document["private"]
    encoding = private.get("encoding")
    if encoding == "raw":
        seed = _field_bytes(private, "seed", path)
    elif encoding == SEALED:
        if not passphrase:
            raise KeyProblem(f"signing key {info.key_id} is protected by a passphrase; give it "
                             "(--passphrase-file FILE, or type it at the prompt)")
        seed = _unseal(private, public, passphrase, path, info.key_id)
    else:
        raise KeyProblem(f"{path}: unknown private key encoding {encoding!r}")
    if len(seed) != 32:
        raise KeyProblem(f"{path}: the private key is damaged (seed of {len(seed)} bytes)")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    if key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) != public:
        raise KeyProblem(f"{path}: the private key does not match its public key (damaged file)")
    return key, info


def _describe_existing(home: Home) -> str:
    try:
        return f" ({load_public(home).key_id})"
    except KeyProblem:
        return ""


def _seal(seed: bytes, public: bytes, passphrase: str) -> dict[str, Any]:
    return seal(seed, _aad(public), passphrase)


def _unseal(private: dict[str, Any], public: bytes, passphrase: str, path: Path, kid: str) -> bytes:
    return unseal(private, _aad(public), passphrase, path, f"signing key {kid}")


def seal(data: bytes, aad: bytes, passphrase: str) -> dict[str, Any]:
    """`data` encrypted with a key scrypt derives from `passphrase` (ChaCha20-Poly1305, `aad` bound): the
    one passphrase encryption of codetape (the signing key, the episode keys' backup)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = ChaCha20Poly1305(key).encrypt(nonce, data, aad)
    return {"encoding": SEALED, "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}


def unseal(document: dict[str, Any], aad: bytes, passphrase: str, path: Path, what: str) -> bytes:
    """What `seal` sealed; KeyProblem naming a wrong passphrase for `what`, or damage to `path`."""
    n, r, p = (_positive_int(document, name) for name in ("n", "r", "p"))
    if not 0 < n <= _MAX_SCRYPT_N or n & (n - 1) or not 0 < r * p <= 64:
        raise KeyProblem(f"{path}: the passphrase parameters are damaged or out of range")
    salt, nonce, sealed = (_field_bytes(document, name, path) for name in ("salt", "nonce", "sealed"))
    if len(nonce) != 12:
        raise KeyProblem(f"{path}: damaged (nonce of {len(nonce)} bytes)")
    key = _derive(passphrase, salt, n, r, p)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise KeyProblem(f"wrong passphrase for {what} (or {path} is damaged)") from None


def _positive_int(document: dict[str, Any], name: str) -> int:
    value = document.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def _aad(public: bytes) -> bytes:
    return KEY_FORMAT.encode("ascii") + public


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _field_bytes(document: dict[str, Any], name: str, path: Path) -> bytes:
    value = document.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError(name)
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyProblem(f"{path}: field {name!r} is missing or not base64 (damaged key file)") from None


def _public_of(document: dict[str, Any], path: Path) -> bytes:
    try:
        return decode_public(str(document.get("public_key", "")))
    except ValueError as exc:
        raise KeyProblem(f"{path}: public_key: {exc} (damaged key file)") from None


def _read(home: Home) -> dict[str, Any]:
    path = key_path(home)
    data = read_private(path, _MAX_KEY_FILE, KeyProblem,
                        missing=f"no signing key in {home.keys} (create one: codetape keys init)")
    try:
        document = json.loads(data) if len(data) <= _MAX_KEY_FILE else None
    except (ValueError, RecursionError):
        document = None
    if (not isinstance(document, dict) or document.get("format") != KEY_FORMAT
            or document.get("algorithm") != "ed25519" or not isinstance(document.get("private"), dict)):
        raise KeyProblem(f"{path} is not a codetape {KEY_FORMAT} Ed25519 key file")
    return document


