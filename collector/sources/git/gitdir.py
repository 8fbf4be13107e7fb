"""Where a workspace's repository is: found as git finds it, never through a symbolic link.

Git looks for `.git` in the workspace, then in each folder above it. So does `find_git_dir`, and it takes
what it finds only when no link is on the way:

- a `.git` directory (the workspace's own, or a parent folder's for a workspace inside a larger
  repository) is the git directory, at its real path;
- a `.git` file, a gitfile (`gitdir: PATH`, written by `git worktree add`, `git submodule` and
  `git init --separate-git-dir`), names a git directory that lies outside the work tree by design. It is
  read without following a link, and PATH, like the `commondir` of a worktree's git directory, must be a
  real path (git writes real paths): one that passes through a link is refused;
- a `.git` that is a link is refused, wherever it points: a link is recorded as a link, never followed,
  and the repository it leads to is not read at all.

Refusing raises GitDirRefused, whose message says what to change. Git refuses `.git` (in any case) as
a path in the trees it checks out, so neither a `.git` link nor a gitfile arrives with a clone, pull
or checkout; only git itself, the user or an unpacked archive makes one.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from git.exc import WorkTreeRepositoryUnsupported
from git.repo.fun import is_git_dir

from collector.errors import GitDirRefused
from collector.platform.files import NONBLOCK
from collector.workspace.beneath import link_beneath, open_beneath, stat_beneath

_FOLLOWS = "which codetape never follows, so git operations are not recorded"


@dataclass(frozen=True)
class GitDir:
    """A repository found for a workspace; every path real."""

    git_dir: Path  # HEAD, the worktree's own reflog
    common_dir: Path  # refs, packed-refs, logs (the git directory itself, but for a `git worktree`)
    worktree: Path  # the folder holding `.git`: the workspace, or a folder above it


def find_git_dir(root: Path) -> GitDir | None:
    """The repository of the work tree holding `root` (a real path), None when there is none. GitDirRefused
    when git would reach it through a link."""
    for folder in (root, *root.parents):
        try:
            found = stat_beneath(folder, ".git")
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):  # a folder on the way became a link
                raise GitDirRefused(f"{folder} became a link, {_FOLLOWS}") from exc
            continue
        dotgit = _shown(root, folder / ".git")
        if stat.S_ISLNK(found.st_mode):
            target = _link(folder)
            raise GitDirRefused(f"{dotgit} is a link (to {target}), {_FOLLOWS}; make {dotgit} the repository "
                                "itself to record them")
        if stat.S_ISDIR(found.st_mode) and _is_git_dir(folder / ".git"):
            return _with_common_dir(folder / ".git", folder, root)
        if stat.S_ISREG(found.st_mode):
            return _from_gitfile(folder, root)
        if not stat.S_ISDIR(found.st_mode):
            return None  # git stops at a `.git` it cannot use
    return None


def _from_gitfile(folder: Path, root: Path) -> GitDir | None:
    """The git directory a gitfile names, None when it names none."""
    try:
        with open(open_beneath(folder, ".git", os.O_RDONLY | NONBLOCK), "rb") as file:
            content = file.read(4096).decode("utf-8", "surrogateescape")
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):
            raise GitDirRefused(f"{_shown(root, folder / '.git')} became a link, {_FOLLOWS}") from exc
        return None
    first = content.splitlines()[0] if content else ""
    if not first.startswith("gitdir: "):
        return None
    git_dir = _real(folder, first[len("gitdir: "):].rstrip(), _shown(root, folder / ".git"))
    return _with_common_dir(git_dir, folder, root) if _is_git_dir(git_dir) else None


def _with_common_dir(git_dir: Path, worktree: Path, root: Path) -> GitDir:
    """`git_dir` with the common directory its `commondir` file names (itself when it has none)."""
    try:
        with open(open_beneath(git_dir, "commondir", os.O_RDONLY | NONBLOCK), "rb") as file:
            named = file.read(4096).decode("utf-8", "surrogateescape").strip()
    except FileNotFoundError:
        return GitDir(git_dir, git_dir, worktree)
    except OSError as exc:
        raise GitDirRefused(f"{_shown(root, git_dir / 'commondir')} cannot be read safely ({exc.strerror}), "
                            f"{_FOLLOWS}") from exc
    return GitDir(git_dir, _real(git_dir, named, _shown(root, git_dir / "commondir")), worktree)


def _real(base: Path, named: str, where: str) -> Path:
    """`named` (absolute, or relative to the real folder `base`), which must be a real path."""
    path = Path(os.path.normpath(base / named))
    if path.resolve() != path:
        raise GitDirRefused(f"{where} names {named}, a path through a link, {_FOLLOWS}; name the "
                            "repository's real path there to record them")
    return path


def _is_git_dir(path: Path) -> bool:
    try:
        return is_git_dir(path)
    except WorkTreeRepositoryUnsupported:  # a worktree's git directory without its common one
        return False


def _link(folder: Path) -> str:
    try:
        return link_beneath(folder, ".git")
    except OSError:
        return "?"


def _shown(root: Path, path: Path) -> str:
    """`path` as the message shows it: relative to the workspace when inside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
