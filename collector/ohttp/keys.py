"""The gateway's key configuration (RFC 9458 section 3) and the key pair behind it.

A configuration is `key_id (1) | kem_id (2) | public key (32) | length (2) | (kdf_id (2) | aead_id (2))*`;
`application/ohttp-keys` (section 3.2) is a list of them, each after its 2-byte length. The client pins
the gateway's configuration (its hex in config.toml), so nothing is fetched on the upload path. The
gateway's private key is one file, 0600: `{"key_id": N, "private_key": "<hex>"}`.
"""

from __future__ import annotations

import json
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

KEM_X25519_SHA256 = 0x0020
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
PUBLIC_KEY_BYTES = 32


class KeyConfigError(ValueError):
    """A key configuration or key file that cannot be used, said in one line."""


@dataclass(frozen=True)
class KeyConfig:
    """What a client needs to seal a request for one gateway key."""

    key_id: int
    public_key: bytes
    kem_id: int = KEM_X25519_SHA256
    suites: tuple[tuple[int, int], ...] = ((KDF_HKDF_SHA256, AEAD_AES_128_GCM),)

    def encode(self) -> bytes:
        algorithms = b"".join(struct.pack(">HH", kdf, aead) for kdf, aead in self.suites)
        return (struct.pack(">BH", self.key_id, self.kem_id) + self.public_key
                + struct.pack(">H", len(algorithms)) + algorithms)

    def header(self) -> bytes:
        """The request header of RFC 9458 section 4.1: key_id, kem_id, kdf_id, aead_id."""
        return struct.pack(">BHHH", self.key_id, self.kem_id, KDF_HKDF_SHA256, AEAD_AES_128_GCM)


def parse_config(data: bytes) -> KeyConfig:
    """One key configuration; KeyConfigError unless it offers the one suite codetape speaks."""
    if len(data) < 3 + PUBLIC_KEY_BYTES + 2:
        raise KeyConfigError("the gateway's key configuration is too short")
    key_id, kem_id = struct.unpack_from(">BH", data)
    if kem_id != KEM_X25519_SHA256:
        raise KeyConfigError(f"the gateway's key uses KEM 0x{kem_id:04x}; codetape speaks DHKEM(X25519, "
                             "HKDF-SHA256) only")
    public_key = data[3:3 + PUBLIC_KEY_BYTES]
    (length,) = struct.unpack_from(">H", data, 3 + PUBLIC_KEY_BYTES)
    algorithms = data[5 + PUBLIC_KEY_BYTES:]
    if length != len(algorithms) or length == 0 or length % 4:
        raise KeyConfigError("the gateway's key configuration lists its algorithms wrongly")
    suites = tuple(struct.unpack_from(">HH", algorithms, at) for at in range(0, length, 4))
    if (KDF_HKDF_SHA256, AEAD_AES_128_GCM) not in suites:
        raise KeyConfigError("the gateway's key does not offer HKDF-SHA256 with AES-128-GCM")
    return KeyConfig(key_id, public_key, kem_id, suites)


def parse_config_hex(text: str) -> KeyConfig:
    """A configuration as config.toml holds it: hex, spaces and line breaks ignored."""
    try:
        data = bytes.fromhex("".join(text.split()))
    except ValueError:
        raise KeyConfigError("the gateway's key configuration is not hex") from None
    return parse_config(data)


def ohttp_keys(configs: list[KeyConfig]) -> bytes:
    """`application/ohttp-keys`: each configuration after its length."""
    return b"".join(struct.pack(">H", len(encoded)) + encoded for encoded in (c.encode() for c in configs))


@dataclass(frozen=True)
class GatewayKey:
    """The gateway's key pair and the configuration that publishes it."""

    key_id: int
    private_key: X25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def config(self) -> KeyConfig:
        return KeyConfig(self.key_id, self.public_bytes)

    def private_bytes(self) -> bytes:
        return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def new_key(key_id: int | None = None) -> GatewayKey:
    return GatewayKey(secrets.randbelow(256) if key_id is None else key_id, X25519PrivateKey.generate())


def write_key(path: Path, key: GatewayKey) -> None:
    """The key file, created 0600 (refused when one is there: a gateway's key is replaced on purpose)."""
    document = json.dumps({"key_id": key.key_id, "private_key": key.private_bytes().hex()}) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyConfigError(f"{path} exists; move it away first to make a new key") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(document)


def read_key(path: Path) -> GatewayKey:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        key_id, private = document["key_id"], bytes.fromhex(document["private_key"])
        if not isinstance(key_id, int) or not 0 <= key_id <= 255 or len(private) != 32:
            raise ValueError
        return GatewayKey(key_id, X25519PrivateKey.from_private_bytes(private))
    except OSError as exc:
        raise KeyConfigError(f"cannot read the gateway's key {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise KeyConfigError(f"{path} is not a gateway key file (codetape gateway keygen makes "
                             "one)") from None


def public_key(data: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(data)
