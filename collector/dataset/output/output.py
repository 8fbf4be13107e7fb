"""OUT: a local directory or `s3://BUCKET/PREFIX`, as the pyarrow filesystem the Parquet writers (and Ray's)
write through.

For s3://, the endpoint, region and credentials are resolved as for the source, by the upload's S3 client
(boto3: `[upload]` in config.toml, its `profile` included, then AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_PROFILE, the shared files, an instance role; plain http:// only on loopback), and handed to Arrow,
which writes. They are resolved again in every process that writes (`S3Output` travels as where it
writes, never as the credentials it holds), so a local worker or a Ray task on another node uses that
machine's AWS configuration with the same `[upload]` settings, exactly as it does to read the source.
Files appear whole: a local file is renamed into place, an S3 object exists once its upload completes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from collector.atomic import atomic_file, locked
from collector.dataset.errors import OutputFailed
from collector.upload.destinations import Destination, parse_destination
from schemas.config import UploadSettings

MANIFEST = "_manifest.json"


@dataclass(frozen=True)
class Output:
    """Where the dataset goes; paths below it are relative, `/`-separated."""

    url: str
    fs: pafs.FileSystem
    root: str  # the filesystem's path of OUT: a local directory, or bucket/prefix
    local: Path | None = None

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}" if relative else self.root

    def read(self, relative: str) -> bytes | None:
        """A small file's bytes, None when there is none."""
        try:
            with self.fs.open_input_stream(self.path(relative)) as stream:
                return bytes(stream.read())
        except FileNotFoundError:
            return None
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot read {self.describe(relative)}: {exc}") from None

    def lines(self, relative: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        """A file's lines (without their line breaks; none when there is no file), read `chunk` bytes at a
        time."""
        try:
            with self.fs.open_input_stream(self.path(relative)) as stream:
                carry = b""
                while data := stream.read(chunk):
                    *lines, carry = (carry + data).split(b"\n")
                    yield from lines
                if carry:
                    yield carry
        except FileNotFoundError:
            return
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot read {self.describe(relative)}: {exc}") from None

    def write(self, relative: str, data: bytes | Iterable[bytes]) -> None:
        """Replace a file all or nothing, from its bytes or its pieces (a card naming a million files is
        written a piece at a time)."""
        pieces = [data] if isinstance(data, bytes) else data
        try:
            if self.local is not None:
                with atomic_file(self.local / relative, mode=0o644) as staged:
                    staged.file.writelines(pieces)
                return
            with self.fs.open_output_stream(self.path(relative)) as stream:
                for piece in pieces:
                    stream.write(piece)
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot write {self.describe(relative)}: {exc}") from None

    def files(self, folder: str) -> list[str]:
        """Every Parquet file under `folder` (relative paths, sorted); hidden ones are unfinished writes."""
        return sorted(self.sizes(folder))

    def sizes(self, folder: str, suffix: str = ".parquet") -> dict[str, int]:
        """Every file under `folder` whose name ends with `suffix`, but hidden ones (unfinished writes): its
        relative path -> bytes."""
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(self.path(folder), recursive=True,
                                                            allow_not_found=True))
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot list {self.describe(folder)}: {exc}") from None
        start = len(self.root) + 1
        return {info.path[start:]: info.size for info in infos if info.type == pafs.FileType.File
                and info.base_name.endswith(suffix) and not info.base_name.startswith(".")}

    def walk(self, folder: str, suffix: str = ".parquet") -> Iterator[tuple[str, int]]:
        """Every file under `folder` whose name ends with `suffix`, but hidden ones (unfinished writes): its
        relative path and bytes, folder by folder (each folder's files, then its folders, in name order),
        one folder listed at a time (memory: the largest folder's entries, never every file's: issue 107)."""
        start = len(self.root) + 1
        folders, files = self._entries(folder)
        yield from ((info.path[start:], info.size) for info in files if info.base_name.endswith(suffix))
        for below in folders:
            yield from self.walk(below.path[start:], suffix)

    def listing(self, folder: str) -> tuple[list[str], list[tuple[str, int]]]:
        """The folders right in `folder`, and its files (not hidden) with their bytes (relative paths, in name
        order)."""
        start = len(self.root) + 1
        folders, files = self._entries(folder)
        return [info.path[start:] for info in folders], [(info.path[start:], info.size) for info in files]

    def folders(self, folder: str) -> list[str]:
        """The folders right in `folder` (relative paths, in name order)."""
        start = len(self.root) + 1
        return [info.path[start:] for info in self._entries(folder)[0]]

    def _entries(self, folder: str) -> tuple[list[pafs.FileInfo], list[pafs.FileInfo]]:
        """The folders and the files (not hidden) right in `folder`, each in name order."""
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(self.path(folder), recursive=False,
                                                            allow_not_found=True))
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot list {self.describe(folder)}: {exc}") from None
        infos.sort(key=lambda info: info.base_name)
        return ([info for info in infos if info.type == pafs.FileType.Directory],
                [info for info in infos if info.type == pafs.FileType.File
                 and not info.base_name.startswith(".")])

    def is_empty(self) -> bool:
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(self.root, recursive=False, allow_not_found=True))
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot list {self.url}: {exc}") from None
        return not [info for info in infos if not info.base_name.startswith(".")]

    def folder(self, relative: str) -> None:
        """Make a folder for files to go in (an object store needs none)."""
        if self.local is not None:
            try:
                (self.local / relative).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputFailed(f"cannot create {self.describe(relative)}: {exc.strerror}") from None

    def delete(self, relative: str) -> None:
        try:
            self.fs.delete_file(self.path(relative))
        except FileNotFoundError:
            return
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot delete {self.describe(relative)}: {exc}") from None

    def describe(self, relative: str = "") -> str:
        return f"{self.url.rstrip('/')}/{relative}" if relative else self.url

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """One build at a time: a lock file beside the manifest in a local OUT, a lock object made by a
        conditional write in an s3:// one (s3_lock.py)."""
        if self.local is not None:
            with locked(self.local / MANIFEST):
                yield
            return
        # botocore (~0.2 s) only for an s3:// OUT
        from collector.dataset.output.s3_lock import s3_build_lock

        with s3_build_lock(self.fs.destination, self.url):
            yield


class S3Output(pafs.S3FileSystem):  # type: ignore[misc]  # (pyarrow has no type hints)
    """Arrow's S3 filesystem for OUT, with the credentials boto3 resolved for it; pickled (to a worker, a Ray
    task) as the destination alone, and opened again there."""

    def __init__(self, destination: Destination, **options: Any) -> None:
        super().__init__(**options)
        self.destination = destination

    def __reduce__(self) -> tuple[Any, ...]:
        return s3_filesystem, (self.destination,)


def s3_filesystem(destination: Destination) -> S3Output:
    """OUT's filesystem: the endpoint, region and credentials the upload's S3 client resolves."""
    from collector.upload.s3_store import S3Store  # boto3, configured as for upload and for the source

    store = S3Store(destination)
    endpoint = urlsplit(str(store.client.meta.endpoint_url))
    region = store.client.meta.region_name or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options: dict[str, Any] = {"region": region}
    if not (endpoint.hostname or "").endswith(".amazonaws.com"):  # AWS itself: Arrow's own addressing
        options.update(endpoint_override=endpoint.netloc, scheme=endpoint.scheme)
    credentials = store.session.get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options.update(access_key=frozen.access_key, secret_key=frozen.secret_key)
        if frozen.token:
            options["session_token"] = frozen.token
    return S3Output(destination, **options)


def open_output(where: str, settings: UploadSettings, *, create: bool = True) -> Output:
    """OUT as a directory (a path, or file:///DIR) or s3://BUCKET/PREFIX (DestinationError otherwise); a
    directory is made unless `create` is false (to read a dataset)."""
    if "://" not in where:
        where = Path(where).expanduser().resolve().as_uri()
    destination = parse_destination(where, settings)
    if destination.path is not None:
        try:
            if create:
                destination.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputFailed(f"cannot create {destination.path}: {exc.strerror}") from None
        return Output(destination.url, pafs.LocalFileSystem(), str(destination.path), destination.path)
    root = "/".join(part for part in (destination.bucket, destination.prefix) if part)
    return Output(destination.url, s3_filesystem(destination), root)
