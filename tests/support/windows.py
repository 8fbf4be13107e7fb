"""Windows' side of collector/platform/, run on Linux: `sys.platform` as "win32" inside one module only, and
fakes for what only Windows has (msvcrt's byte-range locks, shell32's known folders through ctypes).

`pytest --platform-sim=win32` (tests/support/platform_sim) removes what Windows' Python lacks but leaves
`sys.platform` "linux" (the standard library keys on it): the platform layer then takes its POSIX
branches, and these fakes are how its win32 branches run. What needs a POSIX-only module with no fake
here (a pty, termios, fcntl's flock) is skipped under the simulation with `POSIX_ONLY_SKIP`.
"""

from __future__ import annotations

import ctypes
import errno
import importlib.util
import os
import sys
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

SIMULATED = os.environ.get("CODETAPE_SIMULATE_PLATFORM") == "win32"
POSIX_ONLY_SKIP = pytest.mark.skipif(
    SIMULATED, reason="needs what the win32 simulation removes (fcntl, pty, termios, AF_UNIX): POSIX's path")


class WindowsSys:
    """The `sys` a module sees on Windows: `platform` "win32", everything else this interpreter's."""

    platform = "win32"

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


def on_windows(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """`module`'s `sys.platform` is "win32" for this test (its global `sys` replaced, no one else's)."""
    monkeypatch.setattr(module, "sys", WindowsSys())


def load_as_windows(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> ModuleType:
    """A fresh copy of `module`, executed with `sys.platform` "win32", for what it decides at import (its
    constants); the module itself is left as it is."""
    spec = importlib.util.spec_from_file_location(f"{module.__name__}_as_win32", module.__file__)
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    with monkeypatch.context() as patched:
        patched.setitem(sys.modules, "sys", WindowsSys())
        spec.loader.exec_module(copy)
    return copy


class FakeMsvcrt(ModuleType):
    """msvcrt's `locking` as Windows does it: an exclusive lock on a byte range of a file, held by the
    descriptor that took it; LK_NBLCK fails at once (OSError EACCES) when another descriptor holds it.
    A lock whose descriptor was closed without LK_UNLCK is dropped at once, or with `linger` kept (Windows
    releases it "after a delay that depends on system resources": a test sets `linger` to be that delay)."""

    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int, int], int] = {}  # (device, inode, offset) -> descriptor
        self.refused = 0
        self.on_refused: Callable[[int], None] = lambda count: None
        self.linger = False

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        info = os.fstat(fd)
        key = (info.st_dev, info.st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        if mode == self.LK_UNLCK:
            if self.held.get(key) != fd:
                raise OSError(errno.EACCES, "Permission denied")
            del self.held[key]
            return
        if mode != self.LK_NBLCK:
            raise NotImplementedError(f"FakeMsvcrt.locking mode {mode}")
        holder = self.held.get(key, fd)
        if holder != fd and not self.linger and not _open_on(holder, key):  # closed: its locks with it
            holder = fd
        if holder != fd:
            self.refused += 1
            self.on_refused(self.refused)
            raise OSError(errno.EACCES, "Permission denied")
        self.held[key] = fd


def _open_on(fd: int, key: tuple[int, int, int]) -> bool:
    """Whether `fd` is still open on the file of `key` (device, inode, offset)."""
    try:
        info = os.fstat(fd)
    except OSError:
        return False
    return (info.st_dev, info.st_ino) == key[:2]


def install_msvcrt(monkeypatch: pytest.MonkeyPatch) -> FakeMsvcrt:
    """msvcrt (importable on Windows only) as FakeMsvcrt, for this test."""
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    return fake


class FakeShell32:
    """SHGetKnownFolderPath as shell32 answers it: the path of a known folder, or an HRESULT error."""

    def __init__(self, folders: dict[bytes, str]) -> None:
        self.folders = folders  # GUID (bytes_le) -> path

    def SHGetKnownFolderPath(self, guid: Any, flags: int, token: object, found: Any) -> int:
        path = self.folders.get(bytes(guid._obj))
        if path is None:
            return -2147024894  # 0x80070002: HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
        found._obj.value = path
        return 0


def install_ctypes(monkeypatch: pytest.MonkeyPatch, folders: dict[bytes, str]) -> SimpleNamespace:
    """ctypes with Windows' `windll` (shell32's known folders, ole32's CoTaskMemFree, which records what it
    frees); the rest is this interpreter's ctypes."""
    freed: list[object] = []
    fake = SimpleNamespace(
        create_string_buffer=ctypes.create_string_buffer, c_wchar_p=ctypes.c_wchar_p, byref=ctypes.byref,
        windll=SimpleNamespace(shell32=FakeShell32(folders),
                               ole32=SimpleNamespace(CoTaskMemFree=freed.append)),
        freed=freed)
    monkeypatch.setitem(sys.modules, "ctypes", fake)
    return fake
