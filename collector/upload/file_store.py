"""A `file:///DIR` destination: objects are files under DIR, written all or nothing (collector.atomic).

An object that exists is never replaced, so a second upload sends nothing. A copy interrupted by a crash
leaves at most a temporary file beside the target, never a partial object; the next run copies again.
A receiver lists and copies the objects back (`Readable`); temporary files (named `.*`) are not listed.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from collector.atomic import atomic_file, atomic_write
from collector.upload.destinations import Destination, Resume, Sent, copy_hashed
from collector.upload.errors import TransferFailed
from collector.upload.in_order import in_order

COPY_CHUNK = 1024 * 1024


class FileStore:
    """A local (or mounted) directory taking episodes."""

    def __init__(self, destination: Destination) -> None:
        assert destination.path is not None
        self.root = destination.path
        self.ref = destination.ref()

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def location(self, key: str) -> str:
        return str(self._path(key))

    def size_of(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TransferFailed(f"cannot read {self.root}: {exc.strerror}") from None

    def _folder(self, key: str) -> Path:
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise TransferFailed(f"cannot create {target.parent}: {exc.strerror}") from None
        return target

    def send(self, key: str, path: Path, sha256: str, size: int, *, resume: Resume | None,
             started: Callable[[Resume], None], progress: Callable[[int], None]) -> Sent:
        target = self._folder(key)
        if target.exists():
            return Sent(0, already_there=True)
        digest = hashlib.sha256()
        sent = 0
        try:
            with open(path, "rb") as source, atomic_file(target) as staged:
                while chunk := source.read(COPY_CHUNK):
                    digest.update(chunk)
                    staged.file.write(chunk)
                    sent += len(chunk)
                    progress(len(chunk))
                if digest.hexdigest() != sha256 or sent != size:
                    raise TransferFailed(f"{path} changed while it was being copied; nothing was stored")
        except OSError as exc:
            raise TransferFailed(f"cannot write {target}: {exc.strerror}") from None
        return Sent(sent)

    def put_bytes(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        target = self._folder(key)
        if target.exists() and not replace:
            return False
        try:
            atomic_write(target, data)
        except OSError as exc:
            raise TransferFailed(f"cannot write {target}: {exc.strerror}") from None
        return True

    def abort(self, key: str, resume: Resume) -> None:
        return None  # nothing is ever left half written

    def listing(self, under: str) -> Iterator[tuple[str, int]]:
        folder = self._path(under.rstrip("/"))
        try:  # every name is read before the first is given (in_order), so a vanished folder gives none
            with os.scandir(folder) as entries:
                files = ((entry.name, entry.stat(follow_symlinks=False).st_size) for entry in entries
                         if not entry.name.startswith(".") and entry.is_file(follow_symlinks=False))
                for name, size in in_order(files):
                    yield f"{under}{name}", size
        except FileNotFoundError:
            return
        except OSError as exc:
            raise TransferFailed(f"cannot list {folder}: {exc.strerror}") from None
        except sqlite3.Error as exc:  # the listing's scratch file (in_order)
            raise TransferFailed(f"cannot list {folder}: {exc}") from None

    def read_bytes(self, key: str, limit: int) -> bytes | None:
        path = self._path(key)
        try:
            with open(path, "rb") as source:
                data = source.read(limit + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TransferFailed(f"cannot read {path}: {exc.strerror}") from None
        if len(data) > limit:
            raise TransferFailed(f"{path} is larger than {limit} bytes")
        return data

    def fetch(self, key: str, target: Path, limit: int) -> tuple[str, int]:
        path = self._path(key)
        try:
            with open(path, "rb") as source:
                return copy_hashed(iter(lambda: source.read(COPY_CHUNK), b""), target, limit, str(path))
        except OSError as exc:
            raise TransferFailed(f"cannot read {path}: {exc.strerror}") from None
