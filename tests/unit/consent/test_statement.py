"""The consent payload and its offline check: exact bytes signed, every refusal in one line."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from msgspec.structs import replace

from collector.consent.keys import key_id
from collector.consent.statement import (
    MAX_STATEMENT,
    encode_statement,
    pack_payload,
    parse_statement,
    signed_message,
    unpack_payload,
)
from collector.consent.verify import verify_payload
from collector.errors import EpisodeError
from schemas.consent import (
    ConsentContent,
    ConsentRedaction,
    ConsentReviewer,
    ConsentScope,
    ConsentSoftware,
    ConsentStatement,
    ConsentTerms,
)

CONTENT = b"the bytes before the consent frame"
STORED = Path(__file__).parents[2] / "fixtures" / "consent"  # statements as signed before, byte for byte
DIGEST = hashlib.sha256(CONTENT).digest()


def public_of(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def statement_for(key: Ed25519PrivateKey, digest: bytes = DIGEST, **changes: object) -> ConsentStatement:
    public = public_of(key)
    statement = ConsentStatement(
        content=ConsentContent(sha256=digest.hex(), bytes=len(CONTENT), episode_id=uuid.UUID(int=7),
                               started_at=datetime(2026, 1, 2, tzinfo=UTC), step_count=3, first_t_ms=0,
                               last_t_ms=90),
        scope=ConsentScope(files=["src/a.py"], channels=["edits"], excluded_sha256="ab" * 32),
        redaction=ConsentRedaction(rules_version="2026.1", counts={"aws-access-key": 1}),
        terms=ConsentTerms(purpose="research", licence="CC-BY-4.0", repository_licences=["MIT"]),
        reviewer=ConsentReviewer(public_key=base64.b64encode(public).decode(), key_id=key_id(public)),
        signed_at=datetime(2026, 1, 3, 4, 5, 6, tzinfo=UTC),
        software=ConsentSoftware(codetape_version="0.1.0", recorded_with="0.1.0"),
    )
    return replace(statement, **changes)


def sign(key: Ed25519PrivateKey, statement_bytes: bytes, digest: bytes = DIGEST) -> bytes:
    return pack_payload(key.sign(signed_message(digest, statement_bytes)), statement_bytes)


def test_the_statement_bytes_are_compact_sorted_json() -> None:
    key = Ed25519PrivateKey.generate()
    data = encode_statement(statement_for(key))
    assert data == json.dumps(json.loads(data), sort_keys=True, separators=(",", ":")).encode()
    assert data.startswith(b'{"content":{"bytes":34,') and b'"domain":"codetape/consent/v1"' in data
    assert parse_statement(data) == statement_for(key)


@pytest.mark.parametrize("name", ["statement-every-field.json", "statement-fewest-fields.json"])
def test_a_stored_statement_reads_back_to_the_bytes_it_was_signed_as(name: str) -> None:
    """Every field set (unlinkable mode's authorisation and timing, retain_until, the managed policy's
    hash, an editor, non-ASCII text, microseconds) and the fewest (nulls written, later fields absent):
    written by the models before them, so signatures over older statements still verify."""
    stored = (STORED / name).read_bytes()
    assert encode_statement(parse_statement(stored)) == stored


def test_a_statement_of_before_the_exclusions_were_hashed_reads_but_its_globs_are_never_written() -> None:
    key = Ed25519PrivateKey.generate()
    old = json.loads(encode_statement(statement_for(key)))
    del old["scope"]["excluded_sha256"]
    old["scope"]["excluded"] = ["/acme-merger/"]
    statement = parse_statement(json.dumps(old).encode())
    assert statement.scope.excluded == ["/acme-merger/"] and statement.scope.excluded_sha256 is None
    assert b"acme-merger" not in encode_statement(statement)


def test_the_signature_is_over_domain_tag_content_hash_and_statement() -> None:
    key = Ed25519PrivateKey.generate()
    statement = encode_statement(statement_for(key))
    payload = sign(key, statement)
    signature, rest = payload[:64], payload[64:]
    assert rest == statement
    key.public_key().verify(signature, b"codetape/consent/v1\x00" + DIGEST + statement)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, statement)
    assert verify_payload(payload, DIGEST) == statement_for(key)
    assert verify_payload(payload, DIGEST, expected_key=public_of(key)) == statement_for(key)


def test_other_content_fails_and_says_so() -> None:
    key = Ed25519PrivateKey.generate()
    payload = sign(key, encode_statement(statement_for(key)))
    with pytest.raises(EpisodeError, match=r"^signature does not match: the episode's content differs from "
                                           "what was signed"):
        verify_payload(payload, hashlib.sha256(CONTENT + b"!").digest())


def test_an_altered_statement_fails() -> None:
    key = Ed25519PrivateKey.generate()
    statement = encode_statement(statement_for(key))
    payload = sign(key, statement)
    altered = payload.replace(b'"research"', b'"anything"')
    with pytest.raises(EpisodeError, match=r"^signature does not verify: the consent statement was altered"):
        verify_payload(altered, DIGEST)
    flipped = bytearray(payload)
    flipped[3] ^= 1
    with pytest.raises(EpisodeError, match=r"^signature does not verify"):
        verify_payload(bytes(flipped), DIGEST)


def test_another_key_cannot_stand_in() -> None:
    mine, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    statement = statement_for(mine)
    # their public key under my key id, signed by them
    public = public_of(theirs)
    swapped = replace(statement, reviewer=replace(statement.reviewer,
                                                  public_key=base64.b64encode(public).decode()))
    with pytest.raises(EpisodeError, match=f"names key id {key_id(public_of(mine))} but carries the public "
                                           f"key of {key_id(public)}"):
        verify_payload(sign(theirs, encode_statement(swapped)), DIGEST)
    # their key, consistently named, but with my signature
    consistent = replace(swapped, reviewer=replace(swapped.reviewer, key_id=key_id(public)))
    with pytest.raises(EpisodeError, match=r"^signature does not verify"):
        verify_payload(sign(mine, encode_statement(consistent)), DIGEST)
    # fully re-signed by them: valid, but not by the key a receiver expects
    resigned = sign(theirs, encode_statement(consistent))
    assert verify_payload(resigned, DIGEST).reviewer.key_id == key_id(public)
    with pytest.raises(EpisodeError, match=f"signed by key {key_id(public)}, not by the expected key "
                                           f"{key_id(public_of(mine))}"):
        verify_payload(resigned, DIGEST, expected_key=public_of(mine))


def test_payload_and_statement_damage_is_named() -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(EpisodeError, match="consent frame is damaged: 10 bytes cannot hold a signature"):
        unpack_payload(b"0123456789")
    with pytest.raises(EpisodeError, match="above the 16777216 cap"):
        unpack_payload(bytes(64 + MAX_STATEMENT + 1))
    cases = [
        (b"\xff\xfe", "not valid JSON (UnicodeDecodeError)"),
        (b"{,", "not valid JSON (JSONDecodeError)"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON (RecursionError)"),
        (b"[1]", "not a JSON object"),
        (b'{"domain": "codetape/consent/v2"}', "is for codetape/consent/v2; this codetape checks "
                                               "codetape/consent/v1"),
        (b'{"domain": "\\u001b[2J"}', "is for '\\x1b[2J'"),
        (b'{"domain": "codetape/consent/v1"}', "is invalid: Object missing required field `content`"),
    ]
    for statement, message in cases:
        with pytest.raises(EpisodeError, match=re.escape(message)):
            verify_payload(sign(key, statement), DIGEST)
    extra = json.loads(encode_statement(statement_for(key)))
    extra["uploaded_to"] = "anywhere"
    with pytest.raises(EpisodeError, match="is invalid: uploaded_to: Object contains unknown field"):
        verify_payload(sign(key, json.dumps(extra).encode()), DIGEST)
    local = json.loads(encode_statement(statement_for(key)))
    local["signed_at"] = "2026-01-03T04:05:06+02:00"
    with pytest.raises(EpisodeError, match="is invalid: signed_at: signed_at must be a timezone-aware UTC"):
        verify_payload(sign(key, json.dumps(local).encode()), DIGEST)


def test_a_statement_whose_hash_lies_about_the_content_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    lying = encode_statement(statement_for(key, digest=hashlib.sha256(b"other").digest()))
    with pytest.raises(EpisodeError, match="content hash differs from the signed content"):
        verify_payload(sign(key, lying), DIGEST)
