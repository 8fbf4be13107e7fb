"""OUT: a local directory or `s3://BUCKET/PREFIX`, as the pyarrow filesystem the Parquet writers (and Ray's)
write through.

For s3://, the endpoint and region are resolved as for the source (the upload's S3 client: `[upload]` in
config.toml, AWS_ENDPOINT_URL, ...; plain http:// only on loopback); credentials come from the AWS
environment of whichever machine writes (AWS_ACCESS_KEY_ID, AWS_PROFILE, an instance role): they are
never passed along, so Ray workers on other nodes use their own. Files appear whole: a local file is
renamed into place, an S3 object exists once its upload completes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from collector.atomic import atomic_write, locked
from collector.dataset.errors import OutputFailed
from collector.upload.destinations import parse_destination
from schemas.settings import UploadSettings

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

    def write(self, relative: str, data: bytes) -> None:
        """Replace a small file all or nothing."""
        try:
            if self.local is not None:
                atomic_write(self.local / relative, data, mode=0o644)
                return
            with self.fs.open_output_stream(self.path(relative)) as stream:
                stream.write(data)
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot write {self.describe(relative)}: {exc}") from None

    def files(self, folder: str) -> list[str]:
        """Every Parquet file under `folder` (relative paths, sorted); hidden ones are unfinished writes."""
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(self.path(folder), recursive=True,
                                                            allow_not_found=True))
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot list {self.describe(folder)}: {exc}") from None
        start = len(self.root) + 1
        return sorted(info.path[start:] for info in infos if info.type == pafs.FileType.File
                      and info.base_name.endswith(".parquet") and not info.base_name.startswith("."))

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
        """One build at a time in a local OUT (a lock file beside the manifest); on S3 that is up to you."""
        if self.local is None:
            yield
            return
        with locked(self.local / MANIFEST):
            yield


def open_output(where: str, settings: UploadSettings) -> Output:
    """OUT as a directory (a path, or file:///DIR) or s3://BUCKET/PREFIX (DestinationError otherwise)."""
    if "://" not in where:
        where = Path(where).expanduser().resolve().as_uri()
    destination = parse_destination(where, settings)
    if destination.path is not None:
        try:
            destination.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputFailed(f"cannot create {destination.path}: {exc.strerror}") from None
        return Output(destination.url, pafs.LocalFileSystem(), str(destination.path), destination.path)
    from collector.upload.s3_store import S3Store  # boto3 resolves the endpoint and region, as for upload

    client = S3Store(destination).client
    endpoint = urlsplit(str(client.meta.endpoint_url))
    region = client.meta.region_name or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    if (endpoint.hostname or "").endswith(".amazonaws.com"):
        filesystem = pafs.S3FileSystem(region=region)  # AWS itself: Arrow's own addressing
    else:
        filesystem = pafs.S3FileSystem(endpoint_override=endpoint.netloc, scheme=endpoint.scheme,
                                       region=region)
    root = "/".join(part for part in (destination.bucket, destination.prefix) if part)
    return Output(destination.url, filesystem, root)
