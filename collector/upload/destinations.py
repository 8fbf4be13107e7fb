"""Where signed episodes go: `file:///DIR` or `s3://BUCKET/PREFIX`, from --to or `[upload] to` in
CODETAPE_HOME/config.toml, and the `Store` interface both kinds implement (file_store.py, s3_store.py).

Objects are named by content: `<prefix>/episodes/<sha256>.ctape`, the manifest `<sha256>.json` and a
revocation `<sha256>.revocation.json` beside it; a receiver reads them back through `Readable`. A
destination's text never holds credentials: a URL with a user or password in it is refused (S3
credentials come from the standard AWS configuration), and no message quotes them (`safe_url`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import unquote, urlsplit

from collector.home import Home
from collector.safe_urls import safe_url
from collector.upload.errors import DestinationError, TransferFailed

if TYPE_CHECKING:  # the reference model loads only when a reference is made; config.toml's only with one
    from collector.upload.ref import DestinationRef
    from schemas.config import UploadSettings

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_SEGMENT = re.compile(r"^[A-Za-z0-9!_.*'()-]+$")
EXAMPLES = "file:///DIR or s3://BUCKET/PREFIX"


@dataclass(frozen=True)
class Destination:
    """A parsed destination and the [upload] settings that apply to it."""

    url: str  # normalised: file:///absolute/dir or s3://bucket[/prefix]
    scheme: Literal["file", "s3"]
    settings: UploadSettings
    path: Path | None = None
    bucket: str = ""
    prefix: str = ""

    def ref(self, endpoint: str | None = None) -> DestinationRef:
        # the reference model only when a reference is made (see TYPE_CHECKING above)
        from collector.upload.ref import DestinationRef

        if self.scheme == "file":
            return DestinationRef(url=self.url)
        upload = self.settings
        return DestinationRef(url=self.url, endpoint_url=upload.endpoint_url, endpoint=endpoint,
                              region=upload.region, profile=upload.profile,
                              allow_insecure=upload.allow_insecure)


@dataclass(frozen=True)
class Resume:
    """An unfinished multipart upload, kept in the receipt so a rerun continues it."""

    upload_id: str
    part_size: int


@dataclass(frozen=True)
class Sent:
    """What sending one file did: bytes sent now, parts found already stored, or nothing (already there)."""

    sent_bytes: int
    resumed_parts: int = 0
    already_there: bool = False


class Store(Protocol):
    """One destination, ready to take objects. Keys are relative (`episodes/<sha256>.ctape`)."""

    ref: DestinationRef

    def location(self, key: str) -> str:
        """Where the object is, for a person: the bucket's key, or the file's path."""

    def size_of(self, key: str) -> int | None:
        """The stored object's size, or None when there is none."""

    def send(self, key: str, path: Path, sha256: str, size: int, *, resume: Resume | None,
             started: Callable[[Resume], None], progress: Callable[[int], None]) -> Sent:
        """Store the file (its bytes must hash to `sha256`) unless an object is already there."""

    def put_bytes(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        """Store a small object unless one is there (False when it was); with `replace`, in its place."""

    def abort(self, key: str, resume: Resume) -> None:
        """Give up an unfinished multipart upload (best effort)."""


class Readable(Protocol):
    """A destination read back by a receiver (`codetape dataset build`): listed, and objects fetched."""

    def location(self, key: str) -> str:
        """Where the object is, for a person: the bucket's key, or the file's path."""

    def listing(self, under: str) -> Iterator[tuple[str, int]]:
        """(key, size) of every object whose key starts with `under` (a folder, ending in `/`), in key
        order; objects whose name starts with `.` (unfinished writes) are left out."""

    def read_bytes(self, key: str, limit: int) -> bytes | None:
        """A small object's bytes, None when there is none; TransferFailed when it is above `limit`."""

    def fetch(self, key: str, target: Path, limit: int) -> tuple[str, int]:
        """Copy the object into the local file `target`: (SHA-256 hex, size) of the bytes copied;
        TransferFailed when it is missing or above `limit` bytes."""


def copy_hashed(chunks: Iterable[bytes], target: Path, limit: int, what: str) -> tuple[str, int]:
    """Write `chunks` (of the object `what`) into the local file `target`, hashing them on the way:
    (SHA-256 hex, size); TransferFailed above `limit` bytes, or when a read or the write fails."""
    import hashlib  # (~3 ms: `status` hashes nothing)

    digest, size = hashlib.sha256(), 0
    try:
        # not "wb": on ext4 a file opened with O_TRUNC has its blocks allocated and written out when it is
        # closed (auto_da_alloc), so the temporary copy the dataset build deletes right after cost a disk
        # write and a discard (~3 ms an episode here); what a longer file held before is truncated after
        with open(os.open(target, os.O_WRONLY | os.O_CREAT, 0o666), "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TransferFailed(f"{what} is larger than {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
            out.truncate()
    except OSError as exc:
        raise TransferFailed(f"cannot copy {what} to {target}: {exc.strerror}") from None
    return digest.hexdigest(), size


EPISODE_TYPE = "application/vnd.codetape.episode"  # the Content-Type an episode is stored with


def episode_key(sha256: str) -> str:
    return f"episodes/{sha256}.ctape"


def manifest_key(sha256: str) -> str:
    return f"episodes/{sha256}.json"


def revocation_key(sha256: str) -> str:
    return f"episodes/{sha256}.revocation.json"


def configured(home: Home, to: str | None = None, *, allow_insecure: bool = False) -> Destination | None:
    """The destination `to` names (--to), else the one in config.toml; None when there is neither.
    DestinationError when the organisation's managed policy does not allow it (`allowed`); PolicyError
    when that policy is refused (nothing leaves while it stands)."""
    destination = named(home, to, allow_insecure=allow_insecure)
    if destination is None:
        return None
    problem = policy_refusal(destination)
    if problem is not None:
        raise DestinationError(problem)
    return destination


def named(home: Home, to: str | None = None, *, allow_insecure: bool = False) -> Destination | None:
    """The destination `to` or config.toml names, parsed, whether the managed policy allows it or not."""
    # config.toml's reading and structs at use: `--help` and the hook never read config.toml
    if to is None and not os.path.lexists(home.config):
        return None
    # config.toml's structs only when there is one (start-up: `status`)
    from msgspec.structs import replace

    from collector.policy.config import load_config

    settings = load_config(home).upload
    if allow_insecure:
        settings = replace(settings, allow_insecure=True)
    url = to if to is not None else settings.to
    return None if url is None else parse_destination(url, settings)


def set_destination(home: Home, url: str) -> Destination:
    """Make `url` the destination in config.toml (`[upload] to`), normalised, once it parses and the
    managed policy allows it; DestinationError (config.toml unchanged) when not."""
    # config.toml's reading and writing only when it is written
    from collector.policy.config import load_config, set_value

    destination = parse_destination(url.strip(), load_config(home).upload)
    problem = policy_refusal(destination, outcome="config.toml was not changed")
    if problem is not None:
        raise DestinationError(problem)
    set_value(home, "upload.to", destination.url)
    return destination


def policy_refusal(destination: Destination, outcome: str = "nothing was sent") -> str | None:
    """Why the managed policy (collector/policy/managed.py) forbids uploads to `destination`, in one line;
    None when it allows them or says nothing of destinations. PolicyError when the policy is refused."""
    # the managed policy's reader only when a destination is checked against it
    from collector.policy.managed import allowed_places, load_managed

    managed = load_managed()
    entries = None if managed is None else managed.policy.allowed_destinations
    if managed is None or entries is None or allowed(destination, entries):
        return None
    return (f"the managed policy ({managed.where}) allows uploads only to {allowed_places(entries)}, and "
            f"{destination.url} is none of them; {outcome}")


def allowed(destination: Destination, entries: Iterable[str]) -> bool:
    """Whether `destination` is one of `entries` or under one (the managed policy's allowed_destinations):
    `file:///DIR` allows that folder and the folders below it, both followed through links to where they
    really are; `s3://BUCKET/PREFIX` that bucket under that prefix (whole path segments), `s3://BUCKET` the
    whole bucket. The S3 endpoint (AWS's or `endpoint_url`) is not part of the match."""
    for entry in entries:
        try:
            wanted = parse_destination(entry)
        except DestinationError:
            continue
        if wanted.scheme != destination.scheme:
            continue
        if destination.path is not None and wanted.path is not None:
            inside, where = Path(os.path.realpath(destination.path)), Path(os.path.realpath(wanted.path))
            if inside == where or where in inside.parents:
                return True
        elif wanted.bucket == destination.bucket:
            have, want = destination.prefix.split("/"), wanted.prefix.split("/")
            if not wanted.prefix or have[:len(want)] == want:
                return True
    return False


def parse_destination(url: str, settings: UploadSettings | None = None) -> Destination:
    """A `file:///DIR` or `s3://BUCKET/PREFIX` URL; DestinationError saying what is wrong."""
    if settings is None:
        # the config's structs at use (see named)
        from schemas.config import UploadSettings

        settings = UploadSettings()  # the defaults
    shown = safe_url(url)  # what a message may quote of it (collector/safe_urls.py)
    if shown != url:  # before parsing: a malformed URL's parse error would quote its password
        raise DestinationError(f"destination {shown!r}: a destination URL must not hold credentials; for "
                               "s3:// they come from the AWS configuration (environment, ~/.aws, a profile)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a malformed port raises here)
    except ValueError as exc:
        raise DestinationError(f"destination {shown!r} is not a URL ({exc}); use {EXAMPLES}") from None
    if parts.query or parts.fragment:
        raise DestinationError(f"destination {shown!r}: no ?query or #fragment; use {EXAMPLES}")
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise DestinationError(f"destination {shown!r}: a file:// URL names a local directory "
                                   "(file:///absolute/path)")
        path = Path(unquote(parts.path))
        if not path.is_absolute() or ".." in path.parts:
            raise DestinationError(f"destination {shown!r}: give an absolute directory, file:///absolute/path")
        return Destination(path.as_uri(), "file", settings, path=path)
    if parts.scheme == "s3":
        bucket = parts.netloc
        if not _BUCKET.match(bucket) or ".." in bucket or parts.port is not None:
            raise DestinationError(f"destination {shown!r}: {bucket!r} is not an S3 bucket name")
        segments = [segment for segment in unquote(parts.path).split("/") if segment]
        bad = next((seg for seg in segments if seg in (".", "..") or not _SEGMENT.match(seg)), None)
        if bad is not None:
            raise DestinationError(f"destination {shown!r}: prefix part {bad!r} is not a plain name")
        prefix = "/".join(segments)
        check_endpoint(settings.endpoint_url, settings.allow_insecure)
        return Destination(f"s3://{bucket}" + (f"/{prefix}" if prefix else ""), "s3", settings,
                           bucket=bucket, prefix=prefix)
    raise DestinationError(f"destination {shown!r}: unsupported; use {EXAMPLES}")


def check_endpoint(endpoint: str | None, allow_insecure: bool) -> None:
    """Refuse an endpoint with credentials in it, or plain http:// off loopback unless allowed."""
    if endpoint is None:
        return
    shown = safe_url(endpoint)
    if shown != endpoint:  # before parsing, as for a destination
        raise DestinationError(f"endpoint {shown!r}: the endpoint URL must not hold credentials; they come "
                               "from the AWS configuration")
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
    except ValueError:
        host = None
    if host is None or parts.scheme not in ("http", "https"):
        raise DestinationError(f"endpoint {shown!r} is not an http(s):// URL")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(host):
        raise DestinationError(f"refusing plain http:// to {host}: episodes would cross the network "
                               "unencrypted; use https://, or --allow-insecure (allow_insecure = true in "
                               "[upload]) if you mean it")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        import ipaddress  # 10 ms: only for an http:// endpoint

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
