"""The consent statement: what a reviewer signed when they approved an episode for sharing.

It travels in the episode's `C` frame as UTF-8 JSON next to an Ed25519 signature over the statement and
the hash of every byte before that frame (schemas/EPISODE_FORMAT.md, "Consent"). The model is strict:
a receiver refuses a statement with unknown fields rather than guess what was agreed to. Its plain form
(`plain`, schemas/common.py) leaves out what `OMITTED_WHEN_NONE` and `NEVER_WRITTEN` name, so a statement
keeps the bytes it was signed with.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, ClassVar, Literal

from msgspec import Meta

from schemas.common import FieldError, Millis, Model, RelPath, Sha256Hex, UtcTime, utc, whole
from schemas.compiled import compile_module
from schemas.header import ClientInfo

CONSENT_DOMAIN = "codetape/consent/v1"
COARSE_MS = 100  # unlinkable mode's step of time: t_ms and durations are floored to it

# Licences codetape recognises in a LICENSE or COPYING file (SPDX ids; the GPL family without
# -only/-or-later, which a licence text alone does not say).
LICENCE_IDS: tuple[str, ...] = (
    "0BSD", "AGPL-3.0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC0-1.0", "GPL-2.0",
    "GPL-3.0", "ISC", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "MIT", "MPL-2.0", "PSF-2.0", "Unlicense", "Zlib",
)

PublicKeyB64 = Annotated[str, Meta(pattern=whole(r"^[A-Za-z0-9+/]{43}="))]
KeyId = Annotated[str, Meta(pattern=whole(r"^[0-9a-f]{16}"))]
PolicyText = Annotated[str, Meta(max_length=64 * 1024)]
LicenceId = Annotated[str, Meta(min_length=1, max_length=64)]


class ConsentContent(Model, frozen=True, kw_only=True):
    """Which bytes were signed and what they hold."""

    sha256: Annotated[Sha256Hex, Meta(
        description="SHA-256 of every byte of the file before the consent frame")]
    bytes: Annotated[int, Meta(ge=12, le=2**53, description="how many bytes that is")]
    episode_id: uuid.UUID
    started_at: UtcTime
    step_count: Annotated[int, Meta(ge=0, le=2**53)]
    first_t_ms: Millis | None = None
    last_t_ms: Millis | None = None


class ConsentScope(Model, frozen=True, kw_only=True):
    """What the episode covers: the files its steps touch, the channels recorded, and a keyed hash of the
    globs that were left out (their text can name what they hide, so it is not published)."""

    NEVER_WRITTEN: ClassVar[tuple[str, ...]] = ("excluded",)

    files: Annotated[list[RelPath], Meta(max_length=1_000_000)]
    channels: Annotated[list[str], Meta(max_length=64)]
    excluded_sha256: Annotated[Sha256Hex | None, Meta(
        description="HMAC-SHA256, keyed from the signer's private key, over the episode id and the globs "
        "kept out at capture, by the sharing policy and in review (collector/consent/exclusions.py)")] = None
    excluded: Annotated[list[str], Meta(
        max_length=20_000, description="statements signed before `excluded_sha256`: the globs kept out, in "
        "clear; read, never written")] = []


class ConsentRedaction(Model, frozen=True, kw_only=True):
    """The redaction applied before review: the rule set's version and how many distinct values each rule
    masked."""

    rules_version: Annotated[str, Meta(max_length=64)] | None = None
    counts: Annotated[dict[str, Annotated[int, Meta(extra_json_schema={"minimum": 0})]], Meta(
        max_length=10_000)] = {}

    def __post_init__(self) -> None:
        for rule, count in self.counts.items():  # here, not in the type: the refusal names the rule
            if count < 0:
                raise FieldError(f"counts.{rule}", f"Expected `int` >= 0, got {count}")


class ConsentTerms(Model, frozen=True, kw_only=True):
    """The sharing policy in force when signing: purpose and licence of the data, licences of the repo."""

    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ("retain_until", "managed_policy_sha256",
                                                    "managed_scope_sha256")

    purpose: PolicyText | None = None
    licence: PolicyText | None = None
    repository_licences: Annotated[list[LicenceId], Meta(
        max_length=64, description="licences detected in the repository's LICENSE / COPYING files")] = []
    allowed_licences: Annotated[list[LicenceId], Meta(max_length=1_000)] | None = None
    retain_until: Annotated[date | None, Meta(
        description="the last day (UTC) a receiver may keep the episode: it is expired the day after, and "
        "a dataset build purges it from every snapshot; absent: no date was set")] = None
    managed_policy_sha256: Annotated[Sha256Hex | None, Meta(
        description="SHA-256 of the bytes of the organisation's managed policy in force when signing "
        "(/etc/codetape/policy.toml, collector/policy/managed.py); absent: there was none")] = None
    managed_scope_sha256: Annotated[Sha256Hex | None, Meta(
        description="SHA-256 of the bytes of the managed policy file whose `[[scope]]` governed the "
        "episode's repository when signing (of those files' digests, in order, when scopes of several did; "
        "collector/policy/managed.py): only the files governing this episode, never the set installed on the "
        "machine; absent: no scope governed it")] = None


class ConsentAuthorisation(Model, frozen=True, kw_only=True):
    """An issuer's blind signature on the reviewer's per-episode key (unlinkable mode): RFC 9474
    RSABSSA-SHA384-PSS-Randomized over `prefix | b"codetape/episode-key/v1" 0x00 EPOCH 0x00 PUBLIC_KEY`
    (collector/consent/authorisation.py), checked with that issuer's public record for the month."""

    issuer: Annotated[KeyId, Meta(
        description="the issuer's id: first 16 hex digits of SHA-256 of its identity key")]
    epoch: Annotated[str, Meta(pattern=whole(r"^\d{4}-(0[1-9]|1[0-2])"),
                               description="the month (YYYY-MM) whose issuer key signed")]
    prefix: Annotated[str, Meta(pattern=whole(r"^[A-Za-z0-9+/]{43}="),
                                description="RFC 9474's 32 random bytes, base64")]
    signature: Annotated[str, Meta(pattern=whole(r"^[A-Za-z0-9+/=]{4,2800}"),
                                   description="the blind signature, finalised, base64")]


class ConsentReviewer(Model, frozen=True, kw_only=True):
    """Who signed: the Ed25519 public key and its short id (first 16 hex digits of its SHA-256). In
    unlinkable mode the key is the episode's own, used for nothing else, and `authorisation` is an
    issuer's blind signature on it: it says an enrolled contributor signed, not which one."""

    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ("authorisation",)

    algorithm: Literal["ed25519"] = "ed25519"
    public_key: PublicKeyB64
    key_id: KeyId
    authorisation: Annotated[ConsentAuthorisation | None, Meta(
        description="unlinkable mode: the issuer's authorisation of this per-episode key; absent when the "
        "key is the contributor's own (attributed mode)")] = None


class ConsentSoftware(Model, frozen=True, kw_only=True):
    """Which codetape signed, which recorded, and in which editor."""

    codetape_version: Annotated[str, Meta(max_length=64)]
    recorded_with: Annotated[str, Meta(max_length=64)]
    editor: ClientInfo | None = None


class ConsentStatement(Model, frozen=True, kw_only=True):
    """The signed consent statement of one episode."""

    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ("timing",)

    domain: Literal["codetape/consent/v1"] = "codetape/consent/v1"
    content: ConsentContent
    scope: ConsentScope
    redaction: ConsentRedaction
    terms: ConsentTerms
    reviewer: ConsentReviewer
    signed_at: UtcTime
    software: ConsentSoftware
    timing: Annotated[Literal["drawn", "retimed", "coarse", "exact"] | None, Meta(
        description="unlinkable mode: `drawn` when each burst's steps share one time, its duration drawn "
        "from the population, each pause drawn within its 60 s bucket and a save, test run or command "
        "standing in a pause at the time of the burst before it (no typing rhythm, no pausing habit; the "
        "default), `retimed` as `drawn` but with pauses rounded up to whole seconds and a step standing in "
        "a pause at a time of its own (the default before issue 93), "
        "`coarse` when step times and durations were floored to 100 ms steps, `exact` when the "
        "contributor chose to share them to the millisecond; absent (attributed mode) when they are "
        "exact")] = None

    def __post_init__(self) -> None:
        utc("signed_at", self.signed_at)


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
