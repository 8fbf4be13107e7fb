"""Files below a directory, reached without following any symbolic link: how every reader of a workspace
(file watcher, its reconcile and audit passes, the bridge, the git watcher's reflogs, test reports) and
`codetape checkout` open, stat, list and write files.

Each component of a path is opened relative to its parent's descriptor with O_NOFOLLOW (POSIX:
collector/platform/files.py), so a directory
replaced by a link (a branch checkout turning `cfg/` into `cfg -> ../../.docker`, another user racing in a
shared folder) is refused at any depth, whenever the swap happens: nothing outside the root is ever
reached. A link is never opened, only read as a link (`link_beneath`: its target string), and a file
is given another name only when neither name is reached through one (`hardlink_beneath`). Paths are
relative, `/`-separated, without empty, `.` or `..` segments. Where a link inside the workspace may be
honoured (a report a command names, a LICENSE that is a link to docs/), `real_relpath` says where a path
really lies, and the file is then opened there, beneath the root, like any other.

A root given as a path is reached the same way from `/`, so it must be its real path (`Path.resolve()`):
a root that is, or passes through, a link is refused too. A root given as a descriptor (a checkout's DIR,
the folder the user named) is taken as it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath

from collector.platform.files import DIRECTORY, NOFOLLOW, PATH_ONLY

Root = PurePath | int  # a real path (pathlib.Path included), or an open directory descriptor

_THROUGH = PATH_ONLY | DIRECTORY | NOFOLLOW  # a directory passed through, not read
_LISTED = os.O_RDONLY | DIRECTORY | NOFOLLOW
MAX_HELD = 64  # directory descriptors a walk keeps open to reach their subdirectories directly


def _segments(relpath: str) -> list[str]:
    """The segments of a relative path ("" is the root itself); OSError(EINVAL) if it could leave."""
    if not relpath:
        return []
    parts = relpath.split("/")
    if "\0" in relpath or any(part in ("", ".", "..") for part in parts):
        raise OSError(errno.EINVAL, f"not a plain relative path: {relpath!r}")
    return parts


def _step(parent: int, name: str, *, make: bool = False) -> int:
    """The directory `name` in `parent`, never through a link (ENOTDIR when it is one)."""
    if make:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o777, dir_fd=parent)
    return os.open(name, _THROUGH, dir_fd=parent)


def _root(root: Root) -> int:
    """A descriptor for `root` that the caller closes (a copy when `root` is one)."""
    if isinstance(root, int):
        return os.dup(root)
    if not root.is_absolute() or ".." in root.parts:
        raise OSError(errno.EINVAL, f"not a real path: {root}")
    fd = os.open("/", _THROUGH)
    try:
        for name in root.parts[1:]:
            child = _step(fd, name)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _parent(root: Root, parts: list[str], *, make: bool = False) -> int:
    """A descriptor for the directory holding `parts[-1]` (the caller closes it)."""
    fd = _root(root)
    try:
        for name in parts[:-1]:
            child = _step(fd, name, make=make)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def real_relpath(root: PurePath, path: PurePath) -> str | None:
    """The path of `path`'s real location relative to `root` (a real path), following links only to
    decide where it lies; None when that is outside `root` (or is `root`) or cannot be resolved. Open
    the answer with `open_beneath`: a link swapped in meanwhile is refused there."""
    try:
        relpath = Path(path).resolve().relative_to(root).as_posix()
    except (OSError, RuntimeError, ValueError):
        return None
    return None if relpath == "." else relpath


def open_beneath(root: Root, relpath: str, flags: int = os.O_RDONLY, mode: int = 0o666, *,
                 make_dirs: bool = False) -> int:
    """A descriptor for `root/relpath` opened with `flags`, no link followed on the way or at the end
    (ELOOP when the last segment is a link, ENOTDIR when a directory on the way is one). `make_dirs`
    creates missing directories on the way. "" opens the root itself."""
    parts = _segments(relpath)
    if not parts:
        fd = _root(root)
        try:
            return os.open(".", flags, dir_fd=fd)
        finally:
            os.close(fd)
    parent = _parent(root, parts, make=make_dirs)
    try:
        return os.open(parts[-1], flags | NOFOLLOW, mode, dir_fd=parent)
    finally:
        os.close(parent)


def stat_beneath(root: Root, relpath: str) -> os.stat_result:
    """lstat of `root/relpath`, reached without following a link (a link is reported as a link)."""
    parts = _segments(relpath)
    if not parts:
        fd = _root(root)
        try:
            return os.fstat(fd)
        finally:
            os.close(fd)
    parent = _parent(root, parts)
    try:
        return os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
    finally:
        os.close(parent)


def link_beneath(root: Root, relpath: str) -> str:
    """The target string of the link `root/relpath` (EINVAL when it is not a link); never followed.
    Bytes that are not UTF-8 become U+FFFD."""
    parts = _segments(relpath)
    if not parts:
        raise OSError(errno.EINVAL, "the root is not a link")
    parent = _parent(root, parts)
    try:
        target = os.readlink(os.fsencode(parts[-1]), dir_fd=parent)
    finally:
        os.close(parent)
    return target.decode("utf-8", "replace")


def replace_with_link(root: Root, relpath: str, target: str, *, make_dirs: bool = False) -> None:
    """Make `root/relpath` the link `target` (a regular file or link there is replaced, never followed)."""
    parts = _segments(relpath)
    if not parts:
        raise OSError(errno.EINVAL, "the root cannot be a link")
    parent = _parent(root, parts, make=make_dirs)
    try:
        try:
            os.symlink(target, parts[-1], dir_fd=parent)
        except FileExistsError:
            if stat.S_ISDIR(os.stat(parts[-1], dir_fd=parent, follow_symlinks=False).st_mode):
                raise
            os.unlink(parts[-1], dir_fd=parent)
            os.symlink(target, parts[-1], dir_fd=parent)
    finally:
        os.close(parent)


def hardlink_beneath(root: Root, relpath: str, source_root: Root, source: str, *,
                     make_dirs: bool = False) -> None:
    """Make `root/relpath` another name of the regular file `source_root/source`, neither reached through
    a link (EINVAL when the source is not a regular file; EEXIST when something is at `relpath`)."""
    parts, source_parts = _segments(relpath), _segments(source)
    if not parts or not source_parts:
        raise OSError(errno.EINVAL, "the root cannot be linked")
    source_parent = _parent(source_root, source_parts)
    try:
        if not stat.S_ISREG(os.stat(source_parts[-1], dir_fd=source_parent, follow_symlinks=False).st_mode):
            raise OSError(errno.EINVAL, f"not a regular file: {source!r}")
        parent = _parent(root, parts, make=make_dirs)
        try:
            os.link(source_parts[-1], parts[-1], src_dir_fd=source_parent, dst_dir_fd=parent,
                    follow_symlinks=False)
        finally:
            os.close(parent)
    finally:
        os.close(source_parent)


def scan_beneath(root: Root, under: str = "", *, skip: Callable[[str], bool] = lambda _relpath: False,
                 failed: Callable[[str, OSError], None] | None = None
                 ) -> Iterator[tuple[str, os.stat_result]]:
    """(relpath, lstat) of every regular file and link below `root/under`, depth first, without recursion.

    An entry for which `skip(relpath)` holds is neither yielded nor entered. Links are yielded, never
    entered; a directory replaced by a link while the walk runs is not entered either, and an unreadable
    one is passed over (`failed` is told which, and why). Subdirectories are opened through their parent's
    descriptor while it is held (at most MAX_HELD at once), else from the root, so the walk costs no more
    in a deep tree.
    """
    stack = [under]
    held: dict[str, list[int]] = {}  # directory -> [its descriptor, its subdirectories still on the stack]
    try:
        while stack:
            relpath = stack.pop()
            fd = _open_listed(root, relpath, held, failed)
            if fd is None:
                continue
            subdirectories: list[str] = []
            try:
                with os.scandir(fd) as scan:
                    entries = list(scan)
                for entry in entries:
                    child = f"{relpath}/{entry.name}" if relpath else entry.name
                    if skip(child):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            subdirectories.append(child)
                        elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
                            yield child, entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
            except OSError as exc:
                if failed is not None:
                    failed(relpath, exc)
            finally:
                if subdirectories and len(held) < MAX_HELD:
                    held[relpath] = [fd, len(subdirectories)]
                else:
                    os.close(fd)
            stack.extend(reversed(subdirectories))
    finally:
        for fd, _ in held.values():
            os.close(fd)


def _open_listed(root: Root, relpath: str, held: dict[str, list[int]],
                 failed: Callable[[str, OSError], None] | None) -> int | None:
    """A descriptor to list `relpath` with, through its parent's held descriptor when there is one."""
    parent, _, name = relpath.rpartition("/")
    entry = held.get(parent) if name and relpath != parent else None
    try:
        if entry is None:
            return open_beneath(root, relpath, _LISTED)
        return os.open(name, _LISTED, dir_fd=entry[0])
    except OSError as exc:
        if failed is not None:
            failed(relpath, exc)
        return None
    finally:
        if entry is not None:
            entry[1] -= 1
            if entry[1] == 0:
                os.close(held.pop(parent)[0])
