"""Opening the store behind a destination: a directory for file://, a boto3 client for s3:// (boto3 is
imported only then), to write episodes (`Store`) or to read them back (`Readable`). Nothing is sent when
a store is opened."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from collector.upload.destinations import Destination, Readable, Store, parse_destination
from collector.upload.ref import DestinationRef
from schemas.config import UploadSettings

if TYPE_CHECKING:
    from collector.upload.file_store import FileStore
    from collector.upload.s3_store import S3Store


def open_store(destination: Destination, *, waiting: Callable[[str], None] | None = None) -> Store:
    """The store behind a destination; `waiting` hears one line when a request to it waits too long."""
    return _open(destination, waiting)


def open_reader(destination: Destination) -> Readable:
    """The store behind a destination, to list it and read its objects back."""
    return _open(destination)


def _open(destination: Destination, waiting: Callable[[str], None] | None = None) -> FileStore | S3Store:
    if destination.scheme == "file":
        # each store's client only when its scheme is used (boto3 ~0.3 s)
        from collector.upload.file_store import FileStore

        return FileStore(destination)
    # boto3 (~0.3 s) only for an s3:// destination
    from collector.upload.s3_store import S3Store

    return S3Store(destination, waiting=waiting)


def reopen(ref: DestinationRef, settings: UploadSettings) -> Store:
    """The store a receipt names, reached the way it was (endpoint, region, profile)."""
    endpoint = ref.endpoint_url if ref.endpoint_url is not None else ref.endpoint
    reached = msgspec.structs.replace(settings, endpoint_url=endpoint, region=ref.region, profile=ref.profile,
                                      allow_insecure=ref.allow_insecure or settings.allow_insecure)
    return open_store(parse_destination(ref.url, reached))
