"""What codetape writes at an upload destination beside each episode: a manifest, and a revocation.

At a destination, a signed episode is stored under its content address, `<prefix>/episodes/<sha256>.ctape`
(SHA-256 of the whole file), with `<sha256>.json` (the manifest) beside it and, once the signer withdraws
it, `<sha256>.revocation.json`. A receiver reads the manifest to list episodes without opening them and
must honour a revocation signed by the episode's own signer (schemas/EPISODE_FORMAT.md, "At a
destination").
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from msgspec import Meta

from schemas.common import Model, Sha256Hex, UtcTime, utc, whole
from schemas.compiled import compile_module
from schemas.consent import ConsentReviewer, KeyId

MANIFEST_FORMAT = "codetape-manifest/v1"
REVOCATION_DOMAIN = "codetape/revocation/v1"
Signature = Annotated[str, Meta(pattern=whole(r"^[A-Za-z0-9+/]{86}=="))]


class UploadManifest(Model, frozen=True, kw_only=True):
    """The small JSON document stored beside an uploaded episode."""

    format: Literal["codetape-manifest/v1"] = "codetape-manifest/v1"
    sha256: Annotated[Sha256Hex, Meta(description="SHA-256 of the whole episode file: its object name")]
    bytes: Annotated[int, Meta(ge=12, le=2**53, description="the episode file's size")]
    episode_id: uuid.UUID
    signer_key_id: Annotated[KeyId, Meta(description="the key that signed the consent statement")]
    statement_sha256: Annotated[Sha256Hex, Meta(description="SHA-256 of the consent statement's bytes")]
    codetape_version: Annotated[str, Meta(max_length=64, description="the uploading codetape")]


class RevocationStatement(Model, frozen=True, kw_only=True):
    """What the signer withdraws: one episode, named by its content address, from a given time on."""

    domain: Literal["codetape/revocation/v1"] = "codetape/revocation/v1"
    episode_sha256: Annotated[Sha256Hex, Meta(description="SHA-256 of the whole signed episode file")]
    episode_id: uuid.UUID
    revoked_at: UtcTime
    reviewer: Annotated[ConsentReviewer, Meta(description="must be the key that signed the episode")]
    reason: Annotated[str, Meta(max_length=4096)] | None = None

    def __post_init__(self) -> None:
        utc("revoked_at", self.revoked_at)


class RevocationRecord(Model, frozen=True, kw_only=True):
    """`<sha256>.revocation.json`: the statement as the exact bytes signed (UTF-8 JSON text, sorted keys,
    compact) and an Ed25519 signature over `b"codetape/revocation/v1\\0" + sha256 (32 raw bytes) +
    statement bytes`."""

    statement: Annotated[str, Meta(max_length=64 * 1024)]
    signature: Annotated[Signature, Meta(description="base64 of the 64-byte Ed25519 signature")]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
