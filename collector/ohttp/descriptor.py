"""A gateway descriptor: the gateway's key configuration (RFC 9458 section 3) with the bucket and prefix it
writes to, signed by the gateway's operator, so that a client sending through a relay, which no longer
names the bucket itself, and a managed policy's `allowed_destinations` can know where episodes land.

The statement is compact JSON, keys sorted: `{"bucket", "domain": "codetape/gateway/v1", "key_config"
(hex), "operator_key" (base64 Ed25519 public key), "prefix"}`; the signature is Ed25519 by the operator
key over `b"codetape/gateway/v1\\0" + statement`. The descriptor as config.toml and policy.toml hold it
is `base64url(statement) "." base64url(signature)` (no padding). `codetape gateway describe` makes one;
the operator's key is one file, 0600: `{"private_key": "<hex>"}`.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from collector.ohttp.keys import KeyConfig, KeyConfigError, parse_config

DOMAIN = "codetape/gateway/v1"
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^(?:[A-Za-z0-9!_.*'()-]+(?:/[A-Za-z0-9!_.*'()-]+)*)?$")


class DescriptorError(KeyConfigError):
    """A descriptor or operator key that cannot be used, said in one line."""


@dataclass(frozen=True)
class Descriptor:
    """What a verified descriptor says: the key to seal for, where the gateway writes, who signed it."""

    key: KeyConfig
    bucket: str
    prefix: str
    operator_key: bytes

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def describe(key: KeyConfig, bucket: str, prefix: str, operator: Ed25519PrivateKey) -> str:
    """The descriptor of a gateway sealing for `key` and writing to s3://`bucket`/`prefix`."""
    if not _BUCKET.match(bucket) or not _PREFIX.match(prefix):
        raise DescriptorError(f"s3://{bucket}/{prefix} is not a bucket and prefix a descriptor can name")
    statement = json.dumps({"bucket": bucket, "domain": DOMAIN, "key_config": key.encode().hex(),
                            "operator_key": base64.b64encode(_public(operator)).decode("ascii"),
                            "prefix": prefix}, sort_keys=True, separators=(",", ":")).encode("utf-8")
    signature = operator.sign(DOMAIN.encode("ascii") + b"\0" + statement)
    return f"{_b64url(statement)}.{_b64url(signature)}"


def parse_descriptor(text: str) -> Descriptor:
    """The descriptor `text`, its signature verified by the operator key it names; DescriptorError."""
    try:
        encoded, signed = "".join(text.split()).split(".")
        statement, signature = _unb64url(encoded), _unb64url(signed)
        fields = json.loads(statement)
        operator = base64.b64decode(fields["operator_key"], validate=True)
        config = bytes.fromhex(fields["key_config"])
        bucket, prefix, domain = fields["bucket"], fields["prefix"], fields["domain"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise DescriptorError("the gateway descriptor is not one (codetape gateway describe makes one)") \
            from None
    if domain != DOMAIN or not isinstance(bucket, str) or not isinstance(prefix, str) or len(operator) != 32:
        raise DescriptorError("the gateway descriptor is not one (codetape gateway describe makes one)")
    try:
        Ed25519PublicKey.from_public_bytes(operator).verify(signature, DOMAIN.encode("ascii") + b"\0" +
                                                            statement)
    except InvalidSignature:
        raise DescriptorError("the gateway descriptor's signature does not verify: it was altered, or not "
                              "signed by the operator key it names") from None
    if not _BUCKET.match(bucket) or not _PREFIX.match(prefix):
        raise DescriptorError("the gateway descriptor names no usable bucket and prefix")
    return Descriptor(parse_config(config), bucket, prefix, operator)


def new_operator_key(path: Path) -> Ed25519PrivateKey:
    """A new operator key, written to `path` 0600 (refused when one is there)."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise DescriptorError(f"{path} exists") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps({"private_key": raw.hex()}) + "\n")
    return private


def read_operator_key(path: Path) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(
            bytes.fromhex(json.loads(path.read_text(encoding="utf-8"))["private_key"]))
    except OSError as exc:
        raise DescriptorError(f"cannot read the operator key {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise DescriptorError(f"{path} is not an operator key file (codetape gateway describe makes "
                              "one)") from None
