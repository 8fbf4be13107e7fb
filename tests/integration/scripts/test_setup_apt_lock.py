"""scripts/setup waits for a package manager that holds dpkg's lock (issue 96, item 3), saying so, rather
than apt-get failing in 5 s. Driven through bash for real, with the lock path pointed at a scratch file that
a child process holds with a POSIX lock, as dpkg does; the test releases it only once it has heard the
wait."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HOLD = ("import fcntl, sys\n"
        "lock = open(sys.argv[1], 'wb')\n"
        "fcntl.lockf(lock, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n")


def _holder(lock: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def _wait(lock: Path, give_up: int) -> subprocess.Popen[str]:
    script = f". scripts/lib/progress.sh; . scripts/lib/apt.sh; wait_for_package_manager {lock}"
    return subprocess.Popen(["bash", "-c", script], cwd=REPO, stderr=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "APT_LOCK_WAIT": str(give_up)})


def test_setup_waits_for_the_package_manager_saying_so_and_goes_on_once_it_is_free(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    holder = _holder(lock)
    waiting = _wait(lock, 600)
    assert waiting.stderr is not None
    heard = waiting.stderr.readline()
    assert heard == f"setup: waiting for the package manager: another apt or dpkg holds {lock}\n", heard
    assert waiting.poll() is None  # still waiting while the lock is held
    holder.communicate("", timeout=30)
    assert waiting.wait(timeout=60) == 0


def test_setup_gives_up_with_the_lock_named_when_it_is_never_freed(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    holder = _holder(lock)
    try:
        waiting = _wait(lock, 1)
        _, said = waiting.communicate(timeout=60)
        assert waiting.returncode == 1
        assert said.splitlines()[-1].startswith(f"setup: gave up after 1 s: {lock} is still held"), said
    finally:
        holder.communicate("", timeout=30)


def test_a_free_lock_is_no_wait(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    lock.touch()
    waiting = _wait(lock, 600)
    _, said = waiting.communicate(timeout=60)
    assert (waiting.returncode, said) == (0, "")
