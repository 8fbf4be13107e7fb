"""Writing a reconstructed workspace into a directory, never anywhere else.

Episode paths are untrusted. `plan_checkout` checks every path the checkout would write and the
directory it would write into, and refuses the whole checkout (CheckoutRefused, naming the path)
before anything is written: absolute paths, `..` / `.` / empty segments, NUL bytes, backslashes,
drive letters, `.git` segments (git refuses them too), a symlink anywhere on a target path inside the
directory, and a path that is both a file and a directory. `write_checkout` then writes through
directory file descriptors opened with O_NOFOLLOW, so a symlink swapped in meanwhile is refused too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from collector.episode.resolve import show
from collector.errors import CheckoutRefused
from collector.reconstruct.workspace import Workspace
from collector.text.paths import path_problem


@dataclass
class CheckoutPlan:
    """What a checkout writes (path segments and text, in path order) and what it cannot."""

    files: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    omitted: list[tuple[str, str]] = field(default_factory=list)


def safe_parts(path: str) -> tuple[str, ...]:
    """The segments of a workspace-relative POSIX path; CheckoutRefused if it could escape."""
    why = path_problem(path)
    if why is not None:
        raise CheckoutRefused(f"refusing to check out {show(path)}: {why}")
    return tuple(path.split("/"))


def plan_checkout(workspace: Workspace, dest: Path) -> CheckoutPlan:
    """Check every path `workspace` would write into `dest`; nothing is written here."""
    if dest.exists() and not dest.is_dir():
        raise CheckoutRefused(f"{show(str(dest))} exists and is not a directory")
    plan = CheckoutPlan(omitted=sorted(workspace.omitted.items()))
    directories: set[tuple[str, ...]] = set()
    for path, text in workspace.files().items():
        parts = safe_parts(path)
        directories.update(parts[:end] for end in range(1, len(parts)))
        plan.files.append((parts, text))
    seen: dict[Path, int] = {}
    for parts, _ in plan.files:
        if parts in directories:
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: the episode has it both "
                                  "as a file and as a directory")
        _check_target(dest, parts, seen)
    return plan


def _check_target(dest: Path, parts: tuple[str, ...], seen: dict[Path, int]) -> None:
    """Refuse symlinks and non-directories on the way to `dest/parts`, and a non-file at the end."""
    current = dest
    for depth, part in enumerate(parts, start=1):
        current = current / part
        mode = seen.get(current)
        if mode is None:
            try:
                mode = seen[current] = os.lstat(current).st_mode
            except FileNotFoundError:
                return
        where = show("/".join(parts[:depth]))
        if stat.S_ISLNK(mode):
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: {where} in "
                                  f"{show(str(dest))} is a symlink")
        if depth < len(parts) and not stat.S_ISDIR(mode):
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: {where} in "
                                  f"{show(str(dest))} is not a directory")
        if depth == len(parts) and not stat.S_ISREG(mode):
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: it exists in "
                                  f"{show(str(dest))} and is not a regular file")


def write_checkout(plan: CheckoutPlan, dest: Path) -> int:
    """Write the planned files under `dest` (created if missing); returns how many were written."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
        root = os.open(dest, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise CheckoutRefused(f"cannot write into {show(str(dest))}: {exc.strerror}") from None
    try:
        for parts, text in plan.files:
            _write_file(root, parts, text.encode("utf-8", "surrogatepass"))
    finally:
        os.close(root)
    return len(plan.files)


def _write_file(root: int, parts: tuple[str, ...], data: bytes) -> None:
    parent = root
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=parent)
            child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
            if parent != root:
                os.close(parent)
            parent = child
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(parts[-1], flags, 0o666, dir_fd=parent)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as exc:
        path = show("/".join(parts))
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise CheckoutRefused(f"refusing to check out {path}: a symlink or file is in its way") from None
        raise CheckoutRefused(f"cannot write {path}: {exc.strerror}") from None
    finally:
        if parent != root:
            os.close(parent)
