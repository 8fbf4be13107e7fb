"""Receipts: what this machine sent where, one JSON file per episode in CODETAPE_HOME/receipts.

`<episode id>.json` names every destination the episode reached (where, when, under which key), any
multipart upload still unfinished (its upload id, so a rerun resumes it) and the revocation, when there is
one (`<episode id>.revocation.json` beside it is the signed record). `last-attempt.json` says how the last
upload run went, for `codetape status`. No credentials are ever written here. Read-modify-write cycles go
through `collector.atomic.locked`, files through `atomic_write` (0600).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import msgspec

from collector.atomic import atomic_write, locked
from collector.home import Home
from collector.upload.destinations import Resume
from collector.upload.receipt_file import read_bounded, receipt_path
from collector.upload.ref import DestinationRef
from schemas.common import Model, decoded, document
from schemas.compiled import compile_module

LAST_ATTEMPT = "last-attempt.json"
M = TypeVar("M", bound=Model)


class Delivery(Model, frozen=True, kw_only=True):
    """The episode is at a destination."""

    destination: DestinationRef
    key: str
    manifest_key: str
    uploaded_at: datetime
    sent_bytes: int  # 0 when it was there already


class Pending(Model, frozen=True, kw_only=True):
    """A multipart upload started and not finished."""

    destination: DestinationRef
    key: str
    upload_id: str
    part_size: int
    started_at: datetime


class Revoked(Model, frozen=True, kw_only=True):
    """The signer withdrew the episode; the record went to `written_to` so far."""

    revoked_at: datetime
    written_to: tuple[DestinationRef, ...] = ()


class Receipt(Model, frozen=True, kw_only=True):
    episode_id: uuid.UUID
    sha256: str
    bytes: int
    signer_key_id: str
    deliveries: tuple[Delivery, ...] = ()
    pending: tuple[Pending, ...] = ()
    revoked: Revoked | None = None

    def delivered_to(self, ref: DestinationRef) -> Delivery | None:
        return next((d for d in self.deliveries if d.destination.identity == ref.identity), None)

    def pending_at(self, ref: DestinationRef) -> Pending | None:
        return next((p for p in self.pending if p.destination.identity == ref.identity), None)

    def resume_at(self, ref: DestinationRef, key: str) -> Resume | None:
        pending = self.pending_at(ref)
        return None if pending is None or pending.key != key else Resume(pending.upload_id, pending.part_size)

    def with_pending(self, pending: Pending) -> Receipt:
        others = tuple(p for p in self.pending if p.destination.identity != pending.destination.identity)
        return msgspec.structs.replace(self, pending=(*others, pending))

    def with_delivery(self, delivery: Delivery) -> Receipt:
        identity = delivery.destination.identity
        return msgspec.structs.replace(
            self, deliveries=(*(d for d in self.deliveries if d.destination.identity != identity), delivery),
            pending=tuple(p for p in self.pending if p.destination.identity != identity))


class Counted(Model, frozen=True, kw_only=True):
    """The issuer's count that let an unlinkable episode leave: `members` for `epoch` (its month), at least
    `needed` (k). The issuer's word: a member who knows the organisation's size can see an inflated count."""

    episode_id: str
    epoch: str
    members: int
    needed: int

    def said(self) -> str:
        return (f"left with {self.members} members counted for {self.epoch} (k = {self.needed}; the "
                "issuer's count, its word)")


class LastAttempt(Model, frozen=True, kw_only=True):
    """How the last `codetape upload` run (foreground or the collector's) went; `counted`: the count each
    unlinkable episode it delivered left with."""

    at: datetime
    destination: str | None
    uploaded: int = 0
    already_there: int = 0
    failed: int = 0
    error: str | None = None  # the first failure, with its retry command
    counted: tuple[Counted, ...] = ()


def revocation_path(home: Home, episode_id: uuid.UUID | str) -> Path:
    return home.receipts / f"{episode_id}.revocation.json"


def read_receipt(home: Home, episode_id: uuid.UUID | str) -> Receipt | None:
    """The episode's receipt; None when there is none. A damaged one reads as none (and is rewritten)."""
    return _read(receipt_path(home, episode_id), Receipt)


def write_receipt(home: Home, receipt: Receipt) -> None:
    home.ensure(home.receipts)
    atomic_write(receipt_path(home, receipt.episode_id), document(receipt))


@contextlib.contextmanager
def holding(home: Home, episode_id: uuid.UUID | str) -> Iterator[None]:
    """Hold the episode's receipt against other threads and processes (an upload, a revocation)."""
    home.ensure(home.receipts)
    with locked(receipt_path(home, episode_id)):
        yield


def read_last_attempt(home: Home) -> LastAttempt | None:
    return _read(home.receipts / LAST_ATTEMPT, LastAttempt)


def write_last_attempt(home: Home, attempt: LastAttempt) -> None:
    home.ensure(home.receipts)
    atomic_write(home.receipts / LAST_ATTEMPT, document(attempt))


def _read(path: Path, model: type[M]) -> M | None:
    data = read_bounded(path)
    if data is None:
        return None
    try:
        return decoded(data, model)
    except msgspec.MsgspecError:
        return None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
