"""The consent statement: what a reviewer signed when they approved an episode for sharing.

It travels in the episode's `C` frame as UTF-8 JSON next to an Ed25519 signature over the statement and
the hash of every byte before that frame (schemas/EPISODE_FORMAT.md, "Consent"). The model is strict:
a receiver refuses a statement with unknown fields rather than guess what was agreed to.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator

from schemas.common import Millis, Model, RelPath, Sha256Hex
from schemas.header import ClientInfo

CONSENT_DOMAIN = "codetape/consent/v1"
COARSE_MS = 100  # unlinkable mode's step of time: t_ms and durations are floored to it

# Licences codetape recognises in a LICENSE or COPYING file (SPDX ids; the GPL family without
# -only/-or-later, which a licence text alone does not say).
LICENCE_IDS: tuple[str, ...] = (
    "0BSD", "AGPL-3.0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC0-1.0", "GPL-2.0",
    "GPL-3.0", "ISC", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "MIT", "MPL-2.0", "PSF-2.0", "Unlicense", "Zlib",
)

PublicKeyB64 = Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{43}=$")]
KeyId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
PolicyText = Annotated[str, Field(max_length=64 * 1024)]
LicenceId = Annotated[str, Field(min_length=1, max_length=64)]


def _absent(value: object) -> bool:
    """Fields added after version 1's first statements are written only when set, so an attributed
    statement keeps the bytes it always had."""
    return value is None


class ConsentContent(Model):
    """Which bytes were signed and what they hold."""

    sha256: Sha256Hex = Field(description="SHA-256 of every byte of the file before the consent frame")
    bytes: Annotated[int, Field(ge=12, le=2**53)] = Field(description="how many bytes that is")
    episode_id: uuid.UUID
    started_at: datetime
    step_count: Annotated[int, Field(ge=0, le=2**53)]
    first_t_ms: Millis | None = None
    last_t_ms: Millis | None = None


class ConsentScope(Model):
    """What the episode covers: the files its steps touch, the channels recorded, and a keyed hash of the
    globs that were left out (their text can name what they hide, so it is not published)."""

    files: Annotated[list[RelPath], Field(max_length=1_000_000)]
    channels: Annotated[list[str], Field(max_length=64)]
    excluded_sha256: Sha256Hex | None = Field(
        default=None, description="HMAC-SHA256, keyed from the signer's private key, over the episode id "
        "and the globs kept out at capture, by the sharing policy and in review "
        "(collector/consent/exclusions.py)")
    excluded: Annotated[list[str], Field(max_length=20_000)] = Field(
        default=[], exclude=True, description="statements signed before `excluded_sha256`: the globs kept "
        "out, in clear; read, never written")


class ConsentRedaction(Model):
    """The redaction applied before review: the rule set's version and how many distinct values each rule
    masked."""

    rules_version: Annotated[str, Field(max_length=64)] | None = None
    counts: Annotated[dict[str, Annotated[int, Field(ge=0)]], Field(max_length=10_000)] = {}


class ConsentTerms(Model):
    """The sharing policy in force when signing: purpose and licence of the data, licences of the repo."""

    purpose: PolicyText | None = None
    licence: PolicyText | None = None
    repository_licences: Annotated[list[LicenceId], Field(max_length=64)] = Field(
        default=[], description="licences detected in the repository's LICENSE / COPYING files")
    allowed_licences: Annotated[list[LicenceId], Field(max_length=1_000)] | None = None
    retain_until: date | None = Field(
        default=None, exclude_if=_absent,
        description="the last day (UTC) a receiver may keep the episode: it is expired the day after, and "
        "a dataset build purges it from every snapshot; absent: no date was set")
    managed_policy_sha256: Sha256Hex | None = Field(
        default=None, exclude_if=_absent,
        description="SHA-256 of the bytes of the organisation's managed policy in force when signing "
        "(/etc/codetape/policy.toml, collector/policy/managed.py); absent: there was none")


class ConsentAuthorisation(Model):
    """An issuer's blind signature on the reviewer's per-episode key (unlinkable mode): RFC 9474
    RSABSSA-SHA384-PSS-Randomized over `prefix | b"codetape/episode-key/v1" 0x00 EPOCH 0x00 PUBLIC_KEY`
    (collector/consent/authorisation.py), checked with that issuer's public record for the month."""

    issuer: KeyId = Field(description="the issuer's id: first 16 hex digits of SHA-256 of its identity key")
    epoch: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = Field(
        description="the month (YYYY-MM) whose issuer key signed")
    prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{43}=$")] = Field(
        description="RFC 9474's 32 random bytes, base64")
    signature: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/=]{4,2800}$")] = Field(
        description="the blind signature, finalised, base64")


class ConsentReviewer(Model):
    """Who signed: the Ed25519 public key and its short id (first 16 hex digits of its SHA-256). In
    unlinkable mode the key is the episode's own, used for nothing else, and `authorisation` is an
    issuer's blind signature on it: it says an enrolled contributor signed, not which one."""

    algorithm: Literal["ed25519"] = "ed25519"
    public_key: PublicKeyB64
    key_id: KeyId
    authorisation: ConsentAuthorisation | None = Field(
        default=None, exclude_if=_absent,
        description="unlinkable mode: the issuer's authorisation of this per-episode key; absent when "
        "the key is the contributor's own (attributed mode)")


class ConsentSoftware(Model):
    """Which codetape signed, which recorded, and in which editor."""

    codetape_version: Annotated[str, Field(max_length=64)]
    recorded_with: Annotated[str, Field(max_length=64)]
    editor: ClientInfo | None = None


class ConsentStatement(Model):
    """The signed consent statement of one episode."""

    domain: Literal["codetape/consent/v1"] = "codetape/consent/v1"
    content: ConsentContent
    scope: ConsentScope
    redaction: ConsentRedaction
    terms: ConsentTerms
    reviewer: ConsentReviewer
    signed_at: datetime
    software: ConsentSoftware
    timing: Literal["exact", "coarse"] | None = Field(
        default=None, exclude_if=_absent,
        description="unlinkable mode: `coarse` when step times and durations were floored to 100 ms "
        "steps, `exact` when the contributor chose to share them to the millisecond; absent "
        "(attributed mode) when they are exact")

    @field_validator("signed_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.utcoffset() != timedelta(0):
            raise ValueError("signed_at must be a timezone-aware UTC time")
        return value
