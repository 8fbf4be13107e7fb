"""Each win32 branch of collector/platform/, run here: `sys.platform` "win32" inside the module under test
only, with fakes for msvcrt and ctypes (tests/support/windows.py). What they prove is the branch's own
logic; that Windows' msvcrt, shell32 and psutil answer as the fakes do is for a Windows runner
(docs/platforms.md)."""

from __future__ import annotations

import errno
import os
import signal
import stat
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil
import pytest

from collector.platform import files, folders, locks, process, sockets, spawn, terminal, users
from collector.sources.pytest_path import codetape_pytest
from tests.support.windows import install_ctypes, install_msvcrt, load_as_windows, on_windows

GONE_PID = 2**22 + 4321  # above Linux's pid_max (4194304): never a process


def test_a_lock_is_exclusive_through_msvcrt_even_when_asked_shared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, locks)
    msvcrt = install_msvcrt(monkeypatch)
    path = tmp_path / "collector.lock"
    first, second = os.open(path, os.O_RDWR | os.O_CREAT), os.open(path, os.O_RDWR)
    try:
        os.lseek(first, 5, os.SEEK_SET)  # wherever the descriptor stands: the first byte is locked
        assert locks.try_lock(first)
        assert not locks.try_lock(second)
        assert not locks.try_lock(second, shared=True)  # no shared mode in msvcrt
        locks.unlock(first)
        assert locks.try_lock(second, shared=True)
        assert not locks.try_lock(first)
        assert msvcrt.refused == 3
    finally:
        os.close(first)
        os.close(second)


def test_waiting_for_a_lock_retries_until_the_holder_lets_go(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, locks)
    msvcrt = install_msvcrt(monkeypatch)
    path = tmp_path / "collector.lock"
    holder, waiter = os.open(path, os.O_RDWR | os.O_CREAT), os.open(path, os.O_RDWR)
    try:
        assert locks.try_lock(holder)
        msvcrt.on_refused = lambda count: locks.unlock(holder) if count == 3 else None
        locks.lock(waiter)  # refused three times, then taken
        assert msvcrt.refused == 3
        assert not locks.try_lock(holder)
    finally:
        os.close(holder)
        os.close(waiter)


def test_the_pytest_plugins_probe_unlocks_before_it_closes(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock left to the close lingers on Windows (the fake's `linger`): a starter's try-lock after the
    probe would meet it, unless the probe dropped it with LK_UNLCK."""
    on_windows(monkeypatch, codetape_pytest)
    on_windows(monkeypatch, locks)
    msvcrt = install_msvcrt(monkeypatch)
    msvcrt.linger = True
    path = tmp_path / "collector.lock"
    starter = os.open(path, os.O_RDWR | os.O_CREAT)  # (open first: the probe's descriptor is another)
    try:
        assert codetape_pytest._held(str(path)) is False
        assert locks.try_lock(starter), "the probe left its lock to the close, and it lingers"
        assert codetape_pytest._held(str(path)) is True
        assert msvcrt.refused == 1
    finally:
        os.close(starter)


def test_no_posix_open_flag_and_no_mode_bits_on_windows(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    windows = load_as_windows(monkeypatch, files)
    assert (windows.NOFOLLOW, windows.DIRECTORY, windows.NONBLOCK) == (0, 0, 0)
    assert windows.PATH_ONLY == os.O_RDONLY
    assert windows.EVENTS_LOST_SILENTLY
    assert files.NOFOLLOW == os.O_NOFOLLOW  # the module itself untouched
    on_windows(monkeypatch, files)
    files.fsync_dir(tmp_path / "no such folder")  # nothing is opened: NTFS journals its metadata
    path = tmp_path / "f"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    fd = os.open(path, os.O_RDONLY)
    try:
        files.set_mode(fd, 0o600)
    finally:
        os.close(fd)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    foreign = os.stat_result((0o100666, 0, 0, 1, 12345, 12345, 0, 0, 0, 0))
    assert files.owned_by_me(foreign)  # (the owner's SID is not read yet: docs/platforms.md)
    assert not files.writable_by_others(foreign)
    assert not files.open_to_others(0o777)


def test_program_data_is_the_known_folder_the_system_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, folders)
    monkeypatch.setenv("ProgramData", "C:\\Users\\mallory\\fake")  # never read
    fake = install_ctypes(monkeypatch, {uuid.UUID(folders.FOLDERID_PROGRAM_DATA).bytes_le: "D:\\ProgramData"})
    assert folders.program_data() == Path("D:\\ProgramData")
    assert len(fake.freed) == 1  # the string shell32 allocated is freed


def test_program_data_falls_back_to_windows_default_when_the_call_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, folders)
    fake = install_ctypes(monkeypatch, {})
    assert folders.program_data() == folders.DEFAULT_PROGRAM_DATA
    assert len(fake.freed) == 1


def test_no_password_database_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, users)
    assert users.account() is None
    assert users.account(0) is None


def test_liveness_and_cpu_time_come_from_psutil(monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, process)
    monkeypatch.setattr(process, "Path", None)  # /proc is never read on Windows
    assert process.alive(os.getpid())
    assert not process.alive(GONE_PID)
    seconds = process.cpu_seconds(os.getpid())
    assert seconds is not None and seconds > 0
    assert process.cpu_seconds(GONE_PID) is None
    assert process.raise_open_file_limit() is None


def test_lower_priority_is_below_normal_priority_class(monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, process)
    niced: list[int] = []
    fake = SimpleNamespace(BELOW_NORMAL_PRIORITY_CLASS=16384,
                           Process=lambda: SimpleNamespace(nice=niced.append))
    monkeypatch.setitem(__import__("sys").modules, "psutil", fake)
    process.lower_priority(10)
    assert niced == [16384]


def test_pipes_stay_blocking_and_a_signal_number_becomes_an_exit_status(
        monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, process)
    read, write = os.pipe()
    try:
        process.set_blocking(write, False)
        assert os.get_blocking(write)
    finally:
        os.close(read)
        os.close(write)
    exits: list[int] = []

    class Exited(Exception):
        pass

    def exit_now(status: int) -> None:
        exits.append(status)
        raise Exited

    monkeypatch.setattr(process, "os", SimpleNamespace(_exit=exit_now))
    with pytest.raises(Exited):
        process.die_of(signal.SIGINT)
    assert exits == [128 + signal.SIGINT]


def test_a_parent_gone_is_told_to_the_main_thread_as_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows does not re-parent: the parent watch asks whether the parent still runs, then interrupts
    the main thread with STOP (`_thread.interrupt_main`), whose handler runs there."""
    on_windows(monkeypatch, process)
    assert process._parent_is(os.getpid())
    assert not process._parent_is(GONE_PID)
    told: list[int] = []
    previous = signal.signal(process.STOP, lambda signum, frame: told.append(signum))
    try:
        watch = threading.Thread(target=process._watch_parent, args=(GONE_PID,))
        watch.start()
        watch.join(30)
        assert not watch.is_alive()
        for _ in range(1000):  # the handler runs in this thread between two bytecodes
            if told:
                break
    finally:
        signal.signal(process.STOP, previous)
    assert told == [process.STOP]


def test_no_pseudo_terminal_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not load_as_windows(monkeypatch, terminal).has_pty
    on_windows(monkeypatch, terminal)
    with pytest.raises(OSError, match="no pseudo-terminal on Windows"):
        terminal.open_pty()
    terminal.copy_window_size(-1)  # nothing to copy to: no ioctl tried on a bad descriptor
    before = signal.getsignal(signal.SIGWINCH)
    restore = terminal.on_resize(lambda signum, frame: None)
    assert signal.getsignal(signal.SIGWINCH) == before
    restore()
    assert not terminal.in_terminal_foreground()


def test_the_bridge_cannot_spawn_or_poll_a_server_on_windows_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, spawn)
    with pytest.raises(OSError, match="cannot start a language server on Windows yet"):
        spawn.spawn_piped(["true"])
    with pytest.raises(OSError, match="no child processes"):
        spawn.reap(os.getpid(), block=False)
    with pytest.raises(OSError, match="pipes cannot be polled on Windows"):
        spawn.Readable(0)


def test_no_unix_socket_on_windows_and_no_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    on_windows(monkeypatch, sockets)
    with pytest.raises(OSError) as refused:
        sockets.stream_socket()
    assert refused.value.errno == errno.EAFNOSUPPORT
    assert sockets.current_uid() is None


async def _echo(reader: Any, writer: Any) -> None:
    writer.write(await reader.readexactly(4))
    await writer.drain()
    writer.close()


def test_the_server_on_windows_takes_loopback_tcp_and_refuses_a_unix_socket(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    on_windows(monkeypatch, sockets)

    async def run() -> bytes:
        listening = sockets.loopback_socket()
        listening.listen(1)
        listening.setblocking(False)
        server = await sockets.serve(_echo, listening)
        try:
            reader, writer = await asyncio.open_connection(*listening.getsockname())
            writer.write(b"ping")
            answer = await reader.readexactly(4)
            writer.close()
            unix = SimpleNamespace(family=-1)  # what is not a TCP socket is taken for a Unix one
            with pytest.raises(OSError, match="Unix sockets are not available"):
                await sockets.serve(_echo, unix)  # type: ignore[arg-type]
            return answer
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(run()) == b"ping"


def test_psutil_is_what_the_windows_branches_ask() -> None:
    """The names the branches above call exist in the psutil installed (its Windows half has them too)."""
    assert callable(psutil.pid_exists) and callable(psutil.Process)
    assert issubclass(psutil.NoSuchProcess, psutil.Error)
