"""Revocation records: they verify for their signer only, any changed byte fails, and a consent signature
cannot pass for one (each has its own domain tag)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from collector.consent.keys import encode_public, key_id
from collector.consent.statement import signed_message as consent_message
from collector.errors import EpisodeError
from collector.upload.revocation import check_revocation, signed_message
from schemas.upload import RevocationRecord

SHA = hashlib.sha256(b"an episode").hexdigest()


def record(key: Ed25519PrivateKey, *, sign: bytes | None = None, **changes: object) -> bytes:
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    statement = {"domain": "codetape/revocation/v1", "episode_sha256": SHA,
                 "episode_id": str(uuid.UUID(int=7, version=4)),
                 "revoked_at": datetime(2026, 5, 1, tzinfo=UTC).isoformat().replace("+00:00", "Z"),
                 "reviewer": {"algorithm": "ed25519", "public_key": encode_public(public),
                              "key_id": key_id(public)}, "reason": None, **changes}
    text = json.dumps(statement, sort_keys=True, separators=(",", ":"))
    signature = key.sign(sign if sign is not None else signed_message(SHA, text.encode()))
    document = RevocationRecord(statement=text, signature=base64.b64encode(signature).decode())
    return msgspec.json.encode(document)


def test_a_record_verifies_for_its_signer_only() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    data = record(key)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert check_revocation(data, public_key=public).episode_sha256 == SHA
    with pytest.raises(EpisodeError, match="not the expected one"):
        check_revocation(data, public_key=other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def test_a_changed_statement_or_a_consent_signature_does_not_verify() -> None:
    key = Ed25519PrivateKey.generate()
    document = json.loads(record(key))
    document["statement"] = document["statement"].replace(SHA, "0" * 64)
    with pytest.raises(EpisodeError, match="does not verify"):
        check_revocation(json.dumps(document).encode())
    statement = json.loads(json.loads(record(key))["statement"])
    text = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    as_consent = record(key, sign=consent_message(bytes.fromhex(SHA), text))
    with pytest.raises(EpisodeError, match="does not verify"):
        check_revocation(as_consent)
    with pytest.raises(EpisodeError, match="invalid"):
        check_revocation(b'{"statement": "{}", "signature": "x"}')
