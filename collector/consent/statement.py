"""The consent frame's payload: `signature (64 bytes) | statement (UTF-8 JSON)`.

The signature is Ed25519 over `b"codetape/consent/v1\\0" | content_sha256 (32 bytes) | statement`, where
content_sha256 is SHA-256 over every byte of the episode before the consent frame. A verifier must
hash those bytes itself to check the signature at all, so no statement can vouch for other content.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from collector.errors import EpisodeError
from collector.text.validation import first_error
from schemas.common import checked, validated
from schemas.consent import CONSENT_DOMAIN, ConsentStatement

DOMAIN_TAG = CONSENT_DOMAIN.encode("ascii") + b"\0"
SIGNATURE_SIZE = 64
MAX_STATEMENT = 16 * 1024 * 1024


def encode_statement(statement: ConsentStatement) -> bytes:
    """The statement as compact JSON with sorted keys (the exact bytes that get signed): its plain form
    (schemas/common.py `checked`: `plain` leaves out what a statement signed before a field existed lacks)."""
    try:
        data = checked(statement)  # never a statement a verifier would refuse
    except msgspec.ValidationError as exc:
        raise EpisodeError(f"consent statement is invalid: {first_error(exc)}") from None
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_message(content_sha256: bytes, statement: bytes) -> bytes:
    """What the Ed25519 signature is over."""
    return DOMAIN_TAG + content_sha256 + statement


def pack_payload(signature: bytes, statement: bytes) -> bytes:
    if len(signature) != SIGNATURE_SIZE:
        raise ValueError(f"an Ed25519 signature is {SIGNATURE_SIZE} bytes, not {len(signature)}")
    return signature + statement


def unpack_payload(payload: bytes) -> tuple[bytes, bytes]:
    """(signature, statement bytes) of a consent frame payload; EpisodeError when it cannot hold them."""
    if len(payload) < SIGNATURE_SIZE + 2:
        raise EpisodeError(f"consent frame is damaged: {len(payload)} bytes cannot hold a signature and "
                           "a statement")
    if len(payload) - SIGNATURE_SIZE > MAX_STATEMENT:
        raise EpisodeError(f"consent statement is {len(payload) - SIGNATURE_SIZE} bytes, above the "
                           f"{MAX_STATEMENT} cap")
    return payload[:SIGNATURE_SIZE], payload[SIGNATURE_SIZE:]


def parse_statement(statement: bytes) -> ConsentStatement:
    """Decode and validate statement bytes (before or after the signature check); EpisodeError."""
    try:
        data: Any = json.loads(statement.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise EpisodeError(f"consent statement is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise EpisodeError("consent statement is not a JSON object")
    domain = data.get("domain")
    if domain != CONSENT_DOMAIN:
        shown = domain if isinstance(domain, str) and domain.isprintable() else repr(domain)[:80]
        raise EpisodeError(f"consent statement is for {shown}; this codetape checks {CONSENT_DOMAIN}")
    try:
        return validated(data, ConsentStatement)
    except msgspec.ValidationError as exc:
        raise EpisodeError(f"consent statement is invalid: {first_error(exc)}") from None


def signed_unlinkably(consent: bytes | None) -> bool:
    """Whether an episode's consent frame says it was signed unlinkably (its key authorised by an issuer):
    then its commit ids are per-episode pseudonyms (consent/pseudonyms.py). False when unsigned or damaged."""
    if consent is None:
        return False
    try:
        return parse_statement(unpack_payload(consent)[1]).reviewer.authorisation is not None
    except EpisodeError:
        return False
