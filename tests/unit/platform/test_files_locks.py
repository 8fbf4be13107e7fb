"""Locks held through descriptors, private-file checks, process liveness: the POSIX side, on this system."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from collector.platform import files, locks, process


def test_an_exclusive_lock_excludes_another_descriptor_until_dropped(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    second = os.open(path, os.O_RDONLY)
    try:
        assert locks.try_lock(first)
        assert not locks.try_lock(second)
        assert not locks.try_lock(second, shared=True)
        locks.unlock(first)
        assert locks.try_lock(second, shared=True)
        assert not locks.try_lock(first)  # a shared holder keeps an exclusive one out
    finally:
        os.close(first)
        os.close(second)


def test_closing_the_descriptor_drops_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    locks.lock(first)
    os.close(first)
    second = os.open(path, os.O_RDWR)
    try:
        assert locks.try_lock(second)
    finally:
        os.close(second)


def test_private_checks_read_the_mode_bits(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"")
    os.chmod(path, 0o600)
    info = path.stat()
    assert files.owned_by_me(info)
    assert not files.writable_by_others(info)
    assert not files.open_to_others(stat.S_IMODE(info.st_mode))
    os.chmod(path, 0o620)
    assert files.writable_by_others(path.stat())
    assert files.open_to_others(0o640)


def test_set_mode_ignores_the_umask(tmp_path: Path) -> None:
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        files.set_mode(fd, 0o640)
        assert stat.S_IMODE(os.fstat(fd).st_mode) == 0o640
    finally:
        os.close(fd)


def test_this_process_is_alive_and_a_pid_beyond_the_kernels_range_is_not() -> None:
    assert process.alive(os.getpid())
    assert not process.alive(2**22 + 1)  # above Linux's largest pid_max, 2**22
