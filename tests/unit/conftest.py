"""The unit tier starts no process: a unit test that runs git, the CLI, a worker or anything else fails
(in its teardown, once the process has run, so that nothing is left half-done for the tests after it),
and belongs in tests/integration. That is what keeps the tier under a minute."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import ClassVar

import git  # noqa: F401  (GitPython runs `git version` once, when first imported: here, not in a test)
import psutil
import pytest

STARTS_A_PROCESS = frozenset({"subprocess.Popen", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
                              "os.exec", "os.system", "pty.spawn"})


class _Guard:
    """What the audit hook saw while a unit test ran. The hook stays for the process's life and sees
    integration tests too when xdist gives this worker both tiers: it notes only while `active`."""

    active = False
    started: ClassVar[list[str]] = []
    children: ClassVar[set[int]] = set()  # this process's children when the test started


def _note(event: str, args: tuple[object, ...]) -> None:
    if _Guard.active and event in STARTS_A_PROCESS:
        _Guard.started.append(f"{event} {str(args)[:160]}")


sys.addaudithook(_note)


def _children() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    """Watch the whole test, its fixtures' setup and teardown included."""
    _Guard.started.clear()
    _Guard.children = _children()
    _Guard.active = True
    try:
        return (yield)
    finally:
        _Guard.active = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Fail the test, in its teardown, for each process it started or left running."""
    result = yield
    _Guard.active = False
    left = _children() - _Guard.children
    assert not _Guard.started and not left, (
        f"{item.nodeid} started a process, which a unit test does not: move it to tests/integration "
        f"({'; '.join(_Guard.started) or f'still running: {sorted(left)}'})")
    return result


@pytest.fixture(autouse=True, scope="session")
def windows_platform_layer() -> Iterator[None]:
    """Under `--platform-sim=win32` (which removes fcntl, pwd, termios, pty and AF_UNIX but leaves
    `sys.platform` "linux"), the platform modules whose POSIX branch needs one of them take their win32
    branch instead, with msvcrt's fake for the locks (tests/support/windows.py), and so does the pytest
    plugin's probe of a starting collector: the rest of codetape then runs on the platform layer's Windows
    side, for the whole session (module fixtures take locks too). A test of a POSIX branch itself says so
    with `POSIX_ONLY_SKIP`."""
    if getattr(sys, "codetape_simulated_platform", None) != "win32":
        yield
        return
    # only under the simulation: the platform modules and the fakes
    from collector.platform import locks, terminal, users
    from collector.sources.pytest_path import codetape_pytest
    from tests.support.windows import install_msvcrt, on_windows

    with pytest.MonkeyPatch.context() as monkeypatch:
        install_msvcrt(monkeypatch)
        for module in (locks, terminal, users, codetape_pytest):
            on_windows(monkeypatch, module)
        yield
