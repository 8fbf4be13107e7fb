"""copy_hashed, how a source's object reaches a local file (the dataset build's private copy of each
episode): the file holds exactly the bytes copied, whatever it held before, and their hash is returned."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from collector.upload.destinations import copy_hashed
from collector.upload.errors import TransferFailed


@pytest.mark.parametrize("before", [None, b"", b"short", b"a longer file than what is copied into it" * 50])
def test_the_target_holds_exactly_the_bytes_copied(tmp_path: Path, before: bytes | None) -> None:
    target = tmp_path / "copy"
    if before is not None:
        target.write_bytes(before)
    chunks = [b"abc", b"", b"defgh" * 100]
    data = b"".join(chunks)
    assert copy_hashed(iter(chunks), target, 1 << 20, "obj") == (hashlib.sha256(data).hexdigest(), len(data))
    assert target.read_bytes() == data


def test_an_empty_object_empties_the_target(tmp_path: Path) -> None:
    target = tmp_path / "copy"
    target.write_bytes(b"old")
    assert copy_hashed(iter([]), target, 10, "obj") == (hashlib.sha256(b"").hexdigest(), 0)
    assert target.read_bytes() == b""


def test_a_new_target_is_created_as_open_would_create_it(tmp_path: Path) -> None:
    target = tmp_path / "new"
    copy_hashed(iter([b"x"]), target, 10, "obj")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_above_the_limit_or_unwritable_is_a_failed_transfer(tmp_path: Path) -> None:
    with pytest.raises(TransferFailed, match="obj is larger than 4 bytes"):
        copy_hashed(iter([b"abc", b"de"]), tmp_path / "copy", 4, "obj")
    with pytest.raises(TransferFailed, match="cannot copy obj to"):
        copy_hashed(iter([b"abc"]), tmp_path / "missing" / "copy", 4, "obj")
