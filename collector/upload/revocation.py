"""Revoking a signed episode: a record signed by its signer, written beside it at every destination.

The signer is the home's own key (attributed mode) or, for an episode signed in unlinkable mode, that
episode's own key, kept in the home's enrolment store (collector/consent/episode_keys.py): only the home
that signed an episode holds either, so nobody else can withdraw it.

The record (schemas/upload.py, `RevocationRecord`) holds the statement as the exact bytes signed and an
Ed25519 signature over `b"codetape/revocation/v1\\0" + episode sha256 (32 raw bytes) + statement`: its
own domain tag, so no consent signature can pass for a revocation or the reverse. It is kept in
CODETAPE_HOME/receipts/<id>.revocation.json and written as `episodes/<sha256>.revocation.json` at every
destination the receipt names; a destination that cannot be reached is retried by revoking again, which
sends the same record, in the place of any other record found there (receivers honour only one that
verifies against the key that signed the episode, so a record put there first by someone else must not
keep the signer's out). Unfinished multipart uploads are abandoned where the store lets this home do it;
through a relay (the gateway writes whole objects and aborts nothing) one left by an earlier direct upload
is not, and `Revocation.not_abandoned` names it (the bucket's AbortIncompleteMultipartUpload lifecycle rule
removes it). Receivers must honour the record.

An episode signed in unlinkable mode is revoked on the UTC day only (`revoked_at` 00:00:00Z) and, given a
delay (`[consent] upload_delay_max_s`), its record does not leave at once: it waits in the outbox for a
random time of its own (collector/due.py), like an episode, and `write_revocation` writes it then (the
upload run); its unfinished multipart uploads are abandoned then too. So neither the time in the record
nor the time it arrives says when its signer withdrew, nor that several were withdrawn together.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from collector.atomic import atomic_write
from collector.consent.episode_keys import episode_key
from collector.consent.keys import decode_public, encode_public, key_id, key_path, load_private
from collector.consent.unlinkable import day_only
from collector.consent.verify import check_signature
from collector.due import Draw, delivered, due_at, revocation_name, schedule
from collector.episode import Episode, open_episode
from collector.errors import CodetapeError, EpisodeError
from collector.home import Home
from collector.protocol.clock import Clock, utc_now
from collector.text.validation import first_error
from collector.upload.destinations import Resume, Store, revocation_key
from collector.upload.errors import NotAbandoned, RevocationFailed
from collector.upload.gate import file_sha256
from collector.upload.pushed_since import left
from collector.upload.receipts import Receipt, Revoked, holding, read_receipt, revocation_path, write_receipt
from collector.upload.ref import DestinationRef
from schemas.common import checked, decoded, document
from schemas.consent import ConsentReviewer
from schemas.upload import REVOCATION_DOMAIN, RevocationRecord, RevocationStatement

DOMAIN_TAG = REVOCATION_DOMAIN.encode("ascii") + b"\0"
Opener = Callable[[DestinationRef], Store]


def signed_message(episode_sha256: str, statement: bytes) -> bytes:
    return DOMAIN_TAG + bytes.fromhex(episode_sha256) + statement


def check_revocation(data: bytes, *, public_key: bytes | None = None) -> RevocationStatement:
    """The statement of a revocation record, if its signature verifies (by `public_key`, when given);
    EpisodeError naming what is wrong."""
    try:
        record = decoded(data, RevocationRecord)
        statement = decoded(record.statement, RevocationStatement)
        signature = base64.b64decode(record.signature, validate=True)
    except msgspec.ValidationError as exc:
        raise EpisodeError(f"revocation record is invalid: {first_error(exc)}") from None
    except (msgspec.DecodeError, ValueError, binascii.Error) as exc:
        raise EpisodeError(f"revocation record is invalid: {str(exc).splitlines()[0]}") from None
    public = decode_public(statement.reviewer.public_key)
    if key_id(public) != statement.reviewer.key_id:
        raise EpisodeError("revocation names a key id that is not its public key's")
    if public_key is not None and public != public_key:
        raise EpisodeError(f"revocation is signed by key {statement.reviewer.key_id}, not the expected one")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            signature, signed_message(statement.episode_sha256, record.statement.encode("utf-8")))
    except InvalidSignature:
        raise EpisodeError("revocation signature does not verify") from None
    return statement


@dataclass(frozen=True)
class Revocation:
    """What `revoke` did: when, the record's local copy, where it was written, where it could not be, and,
    for an unlinkable episode whose record waits for its random time, that time."""

    revoked_at: datetime
    record: Path
    written_to: tuple[str, ...]
    failed: tuple[str, ...]
    already: bool
    unlinkable: bool = False
    due: datetime | None = None
    not_abandoned: tuple[str, ...] = ()  # unfinished uploads that could not be abandoned, and why


def revoke(path: Path, home: Home, *, opener: Opener, passphrase: str | None = None,
           reason: str | None = None, now: Clock = utc_now, delay_max_s: int | None = None,
           draw: Draw = secrets.randbelow) -> Revocation:
    """Sign (once) and spread the revocation of the signed episode at `path`. An unlinkable episode's is
    dated by the day only; with `delay_max_s` (not None, not 0) its record is left to leave at a random
    time within that many seconds (`write_revocation`) when a destination still lacks it."""
    episode_id, sha, size, signer = _identify(path, home)
    private, reviewer, unlinkable = _signing_key(home, signer, episode_id, passphrase)
    record_path = revocation_path(home, episode_id)
    moment = now()
    with holding(home, episode_id):
        receipt = read_receipt(home, episode_id) or Receipt(episode_id=episode_id, sha256=sha, bytes=size,
                                                            signer_key_id=signer)
        already = receipt.revoked is not None and record_path.is_file()
        if already and receipt.revoked is not None:
            revoked_at, record = receipt.revoked.revoked_at, record_path.read_bytes()
        else:
            revoked_at = day_only(moment) if unlinkable else moment
            statement = RevocationStatement(
                episode_sha256=receipt.sha256, episode_id=episode_id, revoked_at=revoked_at, reason=reason,
                reviewer=reviewer)
            text = json.dumps(checked(statement), sort_keys=True, separators=(",", ":"))
            signature = private.sign(signed_message(receipt.sha256, text.encode("utf-8")))
            record = document(RevocationRecord(statement=text,
                                               signature=base64.b64encode(signature).decode("ascii")))
            atomic_write(record_path, record)
            receipt = msgspec.structs.replace(receipt, revoked=Revoked(revoked_at=revoked_at))
            write_receipt(home, receipt)
        delivered(home, str(episode_id))  # never uploaded now: no upload time
        left(home, str(episode_id))  # its origin and holds: kept only while it waits
        name = revocation_name(str(episode_id))
        if unlinkable and delay_max_s and _unwritten(receipt):
            at = due_at(home, name) or schedule(home, name, delay_max_s, moment, draw=draw)
            return Revocation(revoked_at, record_path, _written(receipt), (), already, True, at)
        receipt, failed, kept = _spread(home, receipt, record, opener)
    return Revocation(revoked_at, record_path, _written(receipt), tuple(failed), already, unlinkable,
                      not_abandoned=tuple(kept))


def write_revocation(home: Home, episode_id: str, *, opener: Opener) -> Revocation | None:
    """Write a revoked episode's signed record at every destination that lacks it (an unlinkable episode's,
    once its random time has come); its time is dropped once all have it. None, and its time dropped, when
    this home holds no revocation of it."""
    parsed = _uuid(episode_id)
    record_path = None if parsed is None else revocation_path(home, parsed)
    if parsed is None or record_path is None or not record_path.is_file():
        delivered(home, revocation_name(episode_id))
        return None
    with holding(home, parsed):
        receipt = read_receipt(home, parsed)
        if receipt is None or receipt.revoked is None:
            delivered(home, revocation_name(episode_id))
            return None
        receipt, failed, kept = _spread(home, receipt, record_path.read_bytes(), opener)
        assert receipt.revoked is not None
    return Revocation(receipt.revoked.revoked_at, record_path, _written(receipt), tuple(failed), True,
                      is_episode_key(home, receipt.signer_key_id), not_abandoned=tuple(kept))


def _spread(home: Home, receipt: Receipt, record: bytes,
            opener: Opener) -> tuple[Receipt, list[str], list[str]]:
    """Abandon the receipt's unfinished uploads and write `record` at each destination that lacks it; the
    receipt is written back, and the record's random time dropped once every destination has it. Also the
    unfinished uploads that could not be abandoned, a line each."""
    (receipt, kept), failed = _abandon(receipt, opener), []
    for delivery in receipt.deliveries:
        written = receipt.revoked.written_to if receipt.revoked is not None else ()
        if any(ref.identity == delivery.destination.identity for ref in written):
            continue
        try:
            # in the place of whatever lies there: a record someone else put first must not stand
            # in for the signer's (receivers ignore it, collector/dataset/check/revocations.py)
            opener(delivery.destination).put_bytes(revocation_key(receipt.sha256), record, replace=True)
        except CodetapeError as exc:
            failed.append(f"{delivery.destination.describe()}: {exc}")
            continue
        assert receipt.revoked is not None
        receipt = msgspec.structs.replace(receipt, revoked=msgspec.structs.replace(
            receipt.revoked, written_to=(*written, delivery.destination)))
    write_receipt(home, receipt)
    if not failed:
        delivered(home, revocation_name(str(receipt.episode_id)))
    return receipt, failed, kept


def _unwritten(receipt: Receipt) -> bool:
    """Whether a destination still lacks the record, or an unfinished upload is still to be abandoned."""
    written = {ref.identity for ref in receipt.revoked.written_to} if receipt.revoked is not None else set()
    return bool(receipt.pending) or any(delivery.destination.identity not in written
                                        for delivery in receipt.deliveries)


def _written(receipt: Receipt) -> tuple[str, ...]:
    written = receipt.revoked.written_to if receipt.revoked is not None else ()
    return tuple(ref.describe() for ref in written)


def signer_of(path: Path, home: Home) -> str:
    """The key id that signed the episode at `path` (its receipt's, else its signature's)."""
    return _identify(path, home)[3]


def is_episode_key(home: Home, signer: str) -> bool:
    """Whether `signer` is one of this home's per-episode keys (unlinkable mode: no passphrase needed)."""
    return episode_key(home, signer) is not None


def _signing_key(home: Home, signer: str, episode_id: uuid.UUID,
                 passphrase: str | None) -> tuple[Ed25519PrivateKey, ConsentReviewer, bool]:
    """The private key that signed the episode, from this home: its episode key (then True: unlinkable),
    else the home's own key; RevocationFailed when this home holds neither."""
    key = episode_key(home, signer)
    if key is not None:
        reviewer = ConsentReviewer(public_key=encode_public(key.public_key), key_id=key.key_id)
        return key.private(), reviewer, True
    if not key_path(home).exists():
        raise RevocationFailed(f"{episode_id} is signed by key {signer}, which this home does not hold: only "
                               "its signer can revoke it")
    private, info = load_private(home, passphrase)
    if info.key_id != signer:
        raise RevocationFailed(f"{episode_id} is signed by key {signer}, not by yours ({info.key_id}): "
                               "only its signer can revoke it")
    return private, ConsentReviewer(public_key=info.public_b64, key_id=info.key_id), False


def _identify(path: Path, home: Home) -> tuple[uuid.UUID, str, int, str]:
    """(episode id, sha256, size, signer key id): from the receipt of what was uploaded when there is one
    (the local copy may have been damaged since), else from the file, whose signature must verify."""
    episode: Episode | None = None
    try:
        episode = open_episode(path)
        episode_id: uuid.UUID | None = episode.header.episode_id
    except EpisodeError:
        episode_id = _uuid(path.name.removesuffix(".ctape"))
    receipt = read_receipt(home, episode_id) if episode_id is not None else None
    if receipt is not None:
        return receipt.episode_id, receipt.sha256, receipt.bytes, receipt.signer_key_id
    if episode is None or episode_id is None:
        raise RevocationFailed(f"{path} is damaged and was never uploaded: nothing to revoke")
    if episode.consent is None:
        raise RevocationFailed(f"{episode_id} is not signed, so it never left: discard it instead "
                               f"(codetape discard {episode_id})")
    try:
        signer = check_signature(episode).reviewer.key_id
    except EpisodeError as exc:
        raise RevocationFailed(f"{episode_id} fails its signature check ({exc}) and was never uploaded: "
                               "nothing to revoke") from None
    sha, size = file_sha256(path)
    return episode_id, sha, size, signer


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _abandon(receipt: Receipt, opener: Opener) -> tuple[Receipt, list[str]]:
    """Abort unfinished multipart uploads (best effort) and forget them; a line for each whose store
    refused or could not be reached (a store that could be but failed is not told apart: best effort)."""
    kept = []
    for pending in receipt.pending:
        try:
            opener(pending.destination).abort(pending.key, Resume(pending.upload_id, pending.part_size))
        except NotAbandoned as exc:
            kept.append(f"{pending.destination.describe()}: {exc}")
        except CodetapeError:
            continue
    return msgspec.structs.replace(receipt, pending=()), kept
