"""SOURCE: where contributors' signed episodes were uploaded, read back through the upload's own stores.

A directory, `file:///DIR` or `s3://BUCKET/PREFIX`, laid out as `codetape upload` writes it
(collector/upload/destinations.py): `episodes/<sha256>.ctape`, its manifest `<sha256>.json` and, once
revoked, `<sha256>.revocation.json`. The listing comes a page at a time in key order, so the files of one
episode arrive together and become one `Entry`. For s3://, the endpoint, region and profile are
`[upload]`'s in CODETAPE_HOME/config.toml or the AWS configuration's (AWS_ENDPOINT_URL, ...), as for
`codetape upload`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collector.errors import UsageError
from collector.upload.destinations import Destination, Readable, episode_key, parse_destination
from collector.upload.stores import open_reader
from schemas.config import UploadSettings

FOLDER = "episodes/"


@dataclass(frozen=True)
class Entry:
    """One episode at the source: its key, the SHA-256 its name claims, its size, what lies beside it.
    `present` is False for a revocation record whose episode is no longer there (its rows must go all the
    same)."""

    key: str
    sha256: str
    size: int
    manifest: bool = False
    revocation: bool = False
    present: bool = True


def locate(where: str, settings: UploadSettings) -> Destination:
    """A directory (a path, or file:///DIR) or s3://BUCKET/PREFIX; DestinationError (exit 2) otherwise,
    UsageError for a directory that is not there."""
    if "://" not in where:
        where = Path(where).expanduser().resolve().as_uri()
    destination = parse_destination(where, settings)
    if destination.path is not None and not destination.path.is_dir():
        raise UsageError(f"SOURCE {destination.path} is not a directory (give where episodes were uploaded)")
    return destination


@functools.cache
def reader_for(destination: Destination) -> Readable:
    """The store behind `destination`, opened once per process (a worker keeps its S3 client)."""
    return open_reader(destination)


def entries(reader: Readable) -> Iterator[Entry]:
    """Every episode file at the source, in key order (by SHA-256), with what lies beside it; and every
    revocation record whose episode is gone (not `present`)."""
    stem: str | None = None
    found: dict[str, int] = {}
    for key, size in reader.listing(FOLDER):
        name = key.removeprefix(FOLDER)
        if "/" in name:
            continue  # a deeper folder is not the upload's
        head, _, suffix = name.partition(".")
        if head != stem:
            yield from _entry(stem, found)
            stem, found = head, {}
        found[suffix] = size
    yield from _entry(stem, found)


def _entry(stem: str | None, found: dict[str, int]) -> Iterator[Entry]:
    revoked = "revocation.json" in found
    if stem is not None and ("ctape" in found or revoked):
        yield Entry(episode_key(stem), stem, found.get("ctape", 0), manifest="json" in found,
                    revocation=revoked, present="ctape" in found)
