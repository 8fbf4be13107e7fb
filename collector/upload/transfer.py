"""One signed episode to one store: cleared (gate.py), content-addressed, idempotent, resumable.

The episode goes to `episodes/<sha256>.ctape` unless an object of its size is there already (then nothing
is sent), with its manifest beside it; the receipt records the delivery. While a multipart upload runs its
upload id is in the receipt, so an interrupted run resumes where it stopped. The receipt is held (a lock)
for the whole transfer: a second process uploading the same episode waits, then finds it delivered.

An episode signed in unlinkable mode goes as through a drop credential (a write-only identity: PutObject
and the multipart calls only): nothing is asked of the store, no HeadObject, GetObject or List request
(an episode already there is found by `If-None-Match: *` failing), and an interrupted multipart upload
starts again rather than listing the parts it left. Its object key is its content address and its
manifest names only the episode's own key: nothing sent names its contributor.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from collector import __version__
from collector.due import delivered
from collector.home import Home
from collector.protocol.clock import Clock, utc_now
from collector.upload.destinations import Resume, Store, episode_key, manifest_key
from collector.upload.errors import TransferFailed, UploadRefused
from collector.upload.gate import Cleared, clear
from collector.upload.governing import destination_problem
from collector.upload.pushed_since import left
from collector.upload.receipt_file import receipt_path
from collector.upload.receipts import (
    Delivery,
    Pending,
    Receipt,
    holding,
    read_receipt,
    write_receipt,
)
from schemas.common import checked
from schemas.upload import UploadManifest


def _ignore(_sent: int) -> None:
    return None


@dataclass(frozen=True)
class Delivered:
    """Where an episode is now, and what this run sent for it."""

    episode_id: uuid.UUID
    destination: str
    location: str
    size: int
    sent_bytes: int
    resumed_parts: int
    already_there: bool


def manifest(cleared: Cleared) -> bytes:
    """The manifest stored beside the episode (sorted keys: the same bytes from every uploader version's
    fields)."""
    written = UploadManifest(sha256=cleared.sha256, bytes=cleared.size, episode_id=cleared.episode_id,
                             signer_key_id=cleared.signer, statement_sha256=cleared.statement_sha256,
                             codetape_version=__version__)
    return (json.dumps(checked(written), sort_keys=True, indent=2) + "\n").encode("utf-8")


def upload_episode(path: Path, home: Home, store: Store, *, progress: Callable[[int], None] = _ignore,
                   now: Clock = utc_now) -> Delivered:
    """Clear `path` and put it in `store` (UploadRefused, TransferFailed); nothing is sent twice."""
    cleared = clear(path, home)
    problem = destination_problem(cleared.managed, store.ref.url)
    if problem is not None:
        raise UploadRefused(f"{cleared.episode_id} stays: {problem}; nothing was sent")
    with holding(home, cleared.episode_id):
        receipt = _receipt_for(home, cleared)
        key = episode_key(cleared.sha256)
        drop = cleared.statement.reviewer.authorisation is not None  # write-only: ask the store nothing
        there = None if drop else store.size_of(key)
        if there is not None and there != cleared.size:
            raise TransferFailed(f"{store.location(key)} already holds {there} bytes, not this episode's "
                                 f"{cleared.size}: it is not what its name says (ask the store's owner)")
        resumed, sent, already = 0, 0, there is not None
        if not already:
            def started(resume: Resume) -> None:
                nonlocal receipt
                pending = Pending(destination=store.ref, key=key, upload_id=resume.upload_id,
                                  part_size=resume.part_size, started_at=now())
                receipt = receipt.with_pending(pending)
                write_receipt(home, receipt)

            result = store.send(key, path, cleared.sha256, cleared.size,
                                resume=None if drop else receipt.resume_at(store.ref, key), started=started,
                                progress=progress)
            resumed, sent, already = result.resumed_parts, result.sent_bytes, result.already_there
        store.put_bytes(manifest_key(cleared.sha256), manifest(cleared))
        if not already or receipt.delivered_to(store.ref) is None:  # the first delivery is the one kept
            receipt = receipt.with_delivery(Delivery(destination=store.ref, key=store.location(key),
                                                     manifest_key=store.location(manifest_key(cleared.sha256)),
                                                     uploaded_at=now(), sent_bytes=sent))
            write_receipt(home, receipt)
        delivered(home, str(cleared.episode_id))
        left(home, str(cleared.episode_id))  # its origin and holds: kept only while it waits
    return Delivered(cleared.episode_id, store.ref.describe(), store.location(key), cleared.size, sent,
                     resumed, already)


def _receipt_for(home: Home, cleared: Cleared) -> Receipt:
    """The episode's receipt (a new one the first time); refused when it was revoked or names another file."""
    receipt = read_receipt(home, cleared.episode_id)
    if receipt is None:
        return Receipt(episode_id=cleared.episode_id, sha256=cleared.sha256, bytes=cleared.size,
                       signer_key_id=cleared.signer)
    if receipt.revoked is not None:
        when = receipt.revoked.revoked_at.isoformat(timespec="seconds")
        raise UploadRefused(f"{cleared.episode_id} was revoked at {when}; a revoked episode never leaves "
                            "again")
    if receipt.sha256 != cleared.sha256:
        where = receipt_path(home, cleared.episode_id)
        raise UploadRefused(f"{cleared.episode_id}: its receipt ({where}) is for another file (sha256 "
                            f"{receipt.sha256[:16]}...), so this one stays")
    return receipt
