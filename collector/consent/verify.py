"""Checking a signed episode: the consent frame's place, the signature, and that the statement
describes the steps. Every failure is an EpisodeError naming the problem in one line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from collector.consent.keys import decode_public, key_id
from collector.consent.statement import parse_statement, signed_message, unpack_payload
from collector.consent.unlinkable import unlinkable_problem
from collector.episode import Episode
from collector.episode.container import (
    CONSENT,
    MAGIC,
    OPTIONAL,
    TRAILER,
    encode_frame,
    iter_frames,
    read_preamble,
)
from collector.episode.summary import Summary, summarize
from collector.errors import EpisodeError
from schemas.consent import ConsentStatement

PREAMBLE = len(MAGIC) + 4


@dataclass(frozen=True)
class ConsentFrame:
    """The consent frame of an episode file, and the hash of every byte before it."""

    offset: int
    flags: int
    payload: bytes
    content_sha256: bytes


def find_consent(path: Path) -> ConsentFrame | None:
    """Scan the file: None when it has no consent frame; EpisodeError when one is misplaced or doubled."""
    hasher = hashlib.sha256()
    found: ConsentFrame | None = None
    try:
        with open(path, "rb") as stream:
            read_preamble(stream)
            stream.seek(0)
            hasher.update(stream.read(PREAMBLE))
            for frame in iter_frames(stream):
                if frame.type == TRAILER:
                    break
                if found is not None:
                    what = "second consent" if frame.type == CONSENT else frame.name
                    raise EpisodeError(f"{what} frame at byte {frame.offset} follows the consent frame, "
                                       "outside what was signed")
                if frame.type == CONSENT:
                    found = ConsentFrame(frame.offset, frame.flags, frame.payload, hasher.digest())
                else:
                    hasher.update(encode_frame(frame.type, frame.payload, frame.flags))
    except OSError as exc:
        raise EpisodeError(f"cannot read {path}: {exc.strerror}") from None
    return found


def verify_payload(payload: bytes, content_sha256: bytes, *,
                   expected_key: bytes | None = None) -> ConsentStatement:
    """The offline core: check a consent payload against the hash of the bytes before it."""
    signature, statement_bytes = unpack_payload(payload)
    statement = parse_statement(statement_bytes)
    reviewer = statement.reviewer
    public = decode_public(reviewer.public_key)  # the model's pattern already holds it to 32 bytes
    if key_id(public) != reviewer.key_id:
        raise EpisodeError(f"consent statement names key id {reviewer.key_id} but carries the public key "
                           f"of {key_id(public)}")
    if expected_key is not None and public != expected_key:
        raise EpisodeError(f"episode is signed by key {reviewer.key_id}, not by the expected key "
                           f"{key_id(expected_key)}")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, signed_message(content_sha256,
                                                                                    statement_bytes))
    except InvalidSignature:
        if statement.content.sha256 != content_sha256.hex():
            raise EpisodeError("signature does not match: the episode's content differs from what was "
                               "signed (changed after signing, or the statement belongs to another "
                               "episode)") from None
        raise EpisodeError(f"signature does not verify: the consent statement was altered after signing, or "
                           f"was not signed by key {reviewer.key_id}") from None
    if statement.content.sha256 != content_sha256.hex():
        raise EpisodeError("consent statement's content hash differs from the signed content (bad signer)")
    return statement


def check_signature(episode: Episode, *, expected_key: bytes | None = None) -> ConsentStatement:
    """The signature and the statement's container facts; steps are not read (see check_scope)."""
    frame = find_consent(episode.path)
    if frame is None:
        raise EpisodeError("episode is not signed (no consent frame)")
    if frame.flags != OPTIONAL:
        raise EpisodeError(f"consent frame at byte {frame.offset} is not marked optional")
    statement = verify_payload(frame.payload, frame.content_sha256, expected_key=expected_key)
    content = statement.content
    header = episode.header
    if content.bytes != frame.offset:
        raise EpisodeError(f"consent statement covers {content.bytes} bytes, but its frame starts at "
                           f"byte {frame.offset}")
    if content.episode_id != header.episode_id:
        raise EpisodeError(f"consent statement is for episode {content.episode_id}, this is "
                           f"{header.episode_id}")
    if content.started_at != header.started_at:
        raise EpisodeError("consent statement's start time differs from the episode header's")
    if content.step_count != episode.step_count:
        raise EpisodeError(f"consent statement counts {content.step_count} steps, the episode holds "
                           f"{episode.step_count}")
    if statement.scope.channels != list(header.capture.channels):
        raise EpisodeError("consent statement's channels differ from the episode header's")
    problem = unlinkable_problem(statement)
    if problem is not None:
        raise EpisodeError(problem)
    return statement


def check_scope(statement: ConsentStatement, summary: Summary) -> None:
    """The statement's time range and files are the steps' own (a subset when unknown kinds were skipped)."""
    content, files = statement.content, set(statement.scope.files)
    touched = set(summary.files)
    if not summary.skipped:
        if (content.first_t_ms, content.last_t_ms) != (summary.first_t_ms, summary.last_t_ms):
            signed = _range(content.first_t_ms, content.last_t_ms)
            raise EpisodeError(f"consent statement's time range {signed} differs from the steps' "
                               f"{_range(summary.first_t_ms, summary.last_t_ms)}")
        if files != touched:
            extra = sorted(files ^ touched)[0]
            raise EpisodeError(f"consent statement's files differ from the steps' (first difference: "
                               f"{extra!r})")
    elif not touched <= files:
        raise EpisodeError(f"steps touch {sorted(touched - files)[0]!r}, outside the consent "
                           "statement's files")


def check_consent(episode: Episode, *, expected_key: bytes | None = None) -> ConsentStatement:
    """The whole check `codetape verify` makes of a signed episode (reads every step once)."""
    statement = check_signature(episode, expected_key=expected_key)
    check_scope(statement, summarize(episode))
    return statement


def signature_status(episode: Episode, summary: Summary) -> None:
    """Check `episode`'s signature for `inspect` and the report, into `summary`: the signer's key id (an
    unlinkable episode's own key) and, unlinkable, its issuer and month and its statement's timing; or the
    problem. Nothing when unsigned."""
    if episode.consent is None:
        return
    try:
        statement = check_signature(episode)
        check_scope(statement, summary)
    except EpisodeError as exc:
        summary.signature_problem = str(exc)
        return
    summary.signed_by = statement.reviewer.key_id
    authorisation = statement.reviewer.authorisation
    if authorisation is not None:
        summary.authorised_by = (authorisation.issuer, authorisation.epoch)
        summary.timing = statement.timing or "coarse"  # absent in an unlinkable statement: as before issue 69


def _range(first: int | None, last: int | None) -> str:
    return "(no steps)" if first is None else f"{first}-{last} ms"
