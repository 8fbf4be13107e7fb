"""An issuer's authorisation of one per-episode key, and the issuer's public record that checks it.

An authorisation is an RFC 9474 blind signature (RSABSSA-SHA384-PSS-Randomized, blindrsa.py) by the
issuer's key for one month (the epoch, "YYYY-MM") on

    b"codetape/episode-key/v1" 0x00 EPOCH 0x00 ED25519_PUBLIC_KEY (32 bytes)

prefixed with the 32 random bytes RFC 9474's PrepareRandomize adds. The issuer signed it blinded: it never
saw the key and cannot recognise the authorisation later.

The public record (`codetape issuer export -o ISSUER.pub`) is one JSON document:

    {"format": "codetape-issuer/v1",
     "body": {"issuer": ID, "name": NAME, "identity": ED25519_PUBLIC_B64, "exported_at": ISO,
              "months": {"2026-11": {"variant": "RSABSSA-SHA384-PSS-Randomized",
                                     "public_key": SPKI_DER_B64, "members": COUNT}, ...}},
     "signature": ED25519_SIGNATURE_B64}

signed by the issuer's Ed25519 identity key over b"codetape/issuer-record/v1" 0x00 and the body's
canonical JSON (sorted keys, no spaces). `members` is how many members took at least one authorisation
under that month's key: the anonymity set of that month's episodes. ID is the first 16 hex digits of
the SHA-256 of the identity key; a later record of the same issuer is recognised by it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)

from collector.consent import blindrsa
from collector.consent.errors import ConsentError

KEY_DOMAIN = b"codetape/episode-key/v1"
RECORD_DOMAIN = b"codetape/issuer-record/v1"
RECORD_FORMAT = "codetape-issuer/v1"
VARIANT = blindrsa.SHA384_PSS_RANDOMIZED
_EPOCH = re.compile(r"\A(\d{4})-(0[1-9]|1[0-2])\Z")
MAX_RECORD_BYTES = 4 * 1024 * 1024


class RecordError(ConsentError):
    """An issuer's public record is damaged, forged or not the issuer expected."""


def check_epoch(epoch: str) -> str:
    """`epoch` if it is a month as "YYYY-MM"; ValueError otherwise."""
    if not _EPOCH.match(epoch):
        raise ValueError(f"a month is YYYY-MM, not {epoch!r}")
    return epoch


def next_epoch(epoch: str) -> str:
    year, month = (int(part) for part in check_epoch(epoch).split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def key_message(epoch: str, public_key: bytes) -> bytes:
    """The message an authorisation signs for one Ed25519 public key in one month (before the prefix)."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return KEY_DOMAIN + b"\x00" + check_epoch(epoch).encode("ascii") + b"\x00" + public_key


@dataclass(frozen=True)
class Authorisation:
    """The issuer's blind signature on one per-episode key: issuer id, month, random prefix, signature."""

    issuer: str
    epoch: str
    prefix: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {"issuer": self.issuer, "epoch": self.epoch, "prefix": b64(self.prefix),
                "signature": b64(self.signature)}

    @classmethod
    def from_json(cls, document: object) -> Authorisation:
        """ValueError naming what is wrong."""
        if not isinstance(document, dict):
            raise ValueError("an authorisation is a JSON object")
        issuer, epoch = document.get("issuer"), document.get("epoch")
        if not isinstance(issuer, str) or not isinstance(epoch, str):
            raise ValueError("an authorisation names its issuer and epoch")
        prefix = unb64(document.get("prefix"), "prefix")
        if len(prefix) != blindrsa.PREFIX_BYTES:
            raise ValueError(f"an authorisation's prefix is {blindrsa.PREFIX_BYTES} bytes")
        return cls(issuer, check_epoch(epoch), prefix, unb64(document.get("signature"), "signature"))


@dataclass(frozen=True)
class Month:
    epoch: str
    public_key: blindrsa.PublicKey
    members: int


@dataclass(frozen=True)
class IssuerRecord:
    """An issuer's public record, its signature checked."""

    issuer: str
    name: str
    identity: bytes
    exported_at: str
    months: dict[str, Month]


def issuer_id(identity: bytes) -> str:
    return hashlib.sha256(identity).hexdigest()[:16]


def verify_authorisation(record: IssuerRecord, public_key: bytes, authorisation: Authorisation) -> str | None:
    """None when `authorisation` is `record`'s issuer's signature on `public_key` for its month; else why
    not, in a few words (unknown issuer, unknown month, forged or altered)."""
    if authorisation.issuer != record.issuer:
        return f"authorised by issuer {authorisation.issuer}, not {record.issuer}"
    month = record.months.get(authorisation.epoch)
    if month is None:
        return f"issuer {record.issuer} has no key for {authorisation.epoch}"
    try:
        message = authorisation.prefix + key_message(authorisation.epoch, public_key)
    except ValueError as exc:
        return str(exc)
    if not blindrsa.verify(month.public_key, message, authorisation.signature, VARIANT):
        return "the authorisation's signature does not verify (forged, or for another key)"
    return None


def encode_rsa_public(key: blindrsa.PublicKey) -> str:
    return b64(key.to_cryptography().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def decode_rsa_public(text: object) -> blindrsa.PublicKey:
    try:
        key = load_der_public_key(unb64(text, "public_key"))
    except ValueError:
        raise ValueError("a month's public_key is not an RSA SubjectPublicKeyInfo") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("a month's public_key is not an RSA key")
    return blindrsa.PublicKey.from_cryptography(key)


def sign_record(identity: Ed25519PrivateKey, name: str, exported_at: str,
                months: dict[str, tuple[blindrsa.PublicKey, int]]) -> bytes:
    """The public record, signed by the issuer's identity key, as the bytes of ISSUER.pub."""
    public = identity.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = {"issuer": issuer_id(public), "name": name, "identity": b64(public), "exported_at": exported_at,
            "months": {epoch: {"variant": VARIANT.name, "public_key": encode_rsa_public(key),
                               "members": count} for epoch, (key, count) in sorted(months.items())}}
    signature = identity.sign(_signed_bytes(body))
    document = {"format": RECORD_FORMAT, "body": body, "signature": b64(signature)}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def read_record(data: bytes, *, identity: bytes | None = None) -> IssuerRecord:
    """The record in `data`, its signature checked (and its identity key `identity`, when given);
    RecordError saying what is wrong."""
    try:
        return _read_record(data, identity)
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"not a valid codetape issuer record: {exc}") from None


def load_record(path: Path) -> IssuerRecord:
    """The record in the file `path` (ISSUER.pub), its signature checked; RecordError naming the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise RecordError(f"cannot read the issuer record {path}: {exc.strerror}") from None
    try:
        return read_record(data)
    except RecordError as exc:
        raise RecordError(f"{path}: {exc}") from None


def _read_record(data: bytes, pinned: bytes | None) -> IssuerRecord:
    if len(data) > MAX_RECORD_BYTES:
        raise ValueError("larger than 4 MiB")
    document = json.loads(data)
    if not isinstance(document, dict) or document.get("format") != RECORD_FORMAT:
        raise ValueError(f"its format is not {RECORD_FORMAT}")
    body = document.get("body")
    if not isinstance(body, dict):
        raise ValueError("it has no body")
    identity = unb64(body.get("identity"), "identity")
    if len(identity) != 32:
        raise ValueError("its identity is not an Ed25519 public key")
    if pinned is not None and identity != pinned:
        raise ValueError(f"it is issuer {issuer_id(identity)}'s, not {issuer_id(pinned)}'s")
    try:
        Ed25519PublicKey.from_public_bytes(identity).verify(
            unb64(document.get("signature"), "signature"), _signed_bytes(body))
    except InvalidSignature:
        raise ValueError("its signature does not verify (altered or forged)") from None
    if body.get("issuer") != issuer_id(identity):
        raise ValueError("its issuer id is not its identity key's")
    months_in = body.get("months")
    if not isinstance(months_in, dict):
        raise ValueError("it lists no months")
    months: dict[str, Month] = {}
    for epoch, entry in months_in.items():
        if not isinstance(entry, dict) or entry.get("variant") != VARIANT.name:
            raise ValueError(f"month {epoch}: not an {VARIANT.name} key")
        members = entry.get("members")
        if not isinstance(members, int) or isinstance(members, bool) or members < 0:
            raise ValueError(f"month {epoch}: members is not a count")
        months[check_epoch(epoch)] = Month(epoch, decode_rsa_public(entry.get("public_key")), members)
    return IssuerRecord(str(body["issuer"]), str(body.get("name", "")), identity,
                        str(body.get("exported_at", "")), months)


def _signed_bytes(body: dict[str, Any]) -> bytes:
    return RECORD_DOMAIN + b"\x00" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{name} is missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} is not base64") from None
