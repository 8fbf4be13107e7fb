"""Writing a reconstructed workspace into a directory, never anywhere else.

Episode paths are untrusted. `plan_checkout` checks every path the checkout would write and the
directory it would write into, and refuses the whole checkout (CheckoutRefused, naming the path)
before anything is written: absolute paths, `..` / `.` / empty segments, NUL bytes, backslashes,
drive letters, `.git` segments (git refuses them too), a symlink anywhere on a target path inside the
directory, a path that is both a file (or link) and a directory, and, unless `force`, a directory that
is not empty (naming the files the checkout would replace). `write_checkout` then writes through
collector.workspace.beneath, each directory opened with O_NOFOLLOW, so a symlink swapped in meanwhile
is refused too.

A link the episode recorded is made again only when it cannot lead out of the directory: its target is
relative, climbs with leading `..` segments no higher than the directory, and never climbs again after
descending (through a link, `a/..` is not where it looks). Links are made after every file, so no file
is written through one. Any other link is not made, and the plan says so (`refused_links`).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from collector.episode.resolve import show
from collector.errors import CheckoutRefused
from collector.platform.files import DIRECTORY
from collector.reconstruct.workspace import Workspace
from collector.text.paths import path_problem
from collector.workspace.beneath import open_beneath, replace_with_link

SHOWN_REPLACED = 5  # files named when refusing a directory that is not empty


@dataclass
class CheckoutPlan:
    """What a checkout writes (path segments and text, in path order), the links it makes, what it
    cannot write, and the files already in the directory that it replaces."""

    files: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    links: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    omitted: list[tuple[str, str]] = field(default_factory=list)
    refused_links: list[tuple[str, str]] = field(default_factory=list)  # (path, target) leading out
    replaced: list[str] = field(default_factory=list)


def safe_parts(path: str) -> tuple[str, ...]:
    """The segments of a workspace-relative POSIX path; CheckoutRefused if it could escape."""
    why = path_problem(path)
    if why is not None:
        raise CheckoutRefused(f"refusing to check out {show(path)}: {why}")
    return tuple(path.split("/"))


def stays_inside(parts: tuple[str, ...], target: str) -> bool:
    """Whether the link at `parts` pointing to `target` resolves inside the checkout, whatever other
    links it meets: relative, leading `..` only, no higher than the link's own folder is deep."""
    if target.startswith("/") or "\0" in target:
        return False
    segments = [segment for segment in target.split("/") if segment not in ("", ".")]
    climbs = next((n for n, segment in enumerate(segments) if segment != ".."), len(segments))
    return ".." not in segments[climbs:] and climbs <= len(parts) - 1


def plan_checkout(workspace: Workspace, dest: Path, *, force: bool = False) -> CheckoutPlan:
    """Check every path `workspace` would write into `dest`; nothing is written here."""
    if dest.exists() and not dest.is_dir():
        raise CheckoutRefused(f"{show(str(dest))} exists and is not a directory")
    plan = plan_paths(workspace)
    seen: dict[Path, int] = {}
    targets = [(parts, False) for parts, _ in plan.files] + [(parts, True) for parts, _ in plan.links]
    for parts, link in targets:
        if _check_target(dest, parts, seen, link=link):
            plan.replaced.append("/".join(parts))
    if not force:
        _refuse_unless_empty(dest, plan.replaced)
    return plan


def plan_paths(workspace: Workspace) -> CheckoutPlan:
    """The checkout of `workspace` into no directory in particular (an archive's entries): every path
    checked as `plan_checkout` checks it, CheckoutRefused for the first that could escape or is both a
    file (or link) and a directory; links leading out are refused."""
    plan = CheckoutPlan(omitted=sorted(workspace.omitted.items()))
    directories: set[tuple[str, ...]] = set()
    files = workspace.files()
    for path, text in files.items():
        parts = safe_parts(path)
        directories.update(parts[:end] for end in range(1, len(parts)))
        plan.files.append((parts, text))
    for path, target in sorted(workspace.links.items()):
        if path in files:  # an editor buffer open at that path: what it shows is written
            continue
        parts = safe_parts(path)
        directories.update(parts[:end] for end in range(1, len(parts)))
        if parts in directories:
            raise CheckoutRefused(f"refusing to check out {show(path)}: the episode has it both as a link "
                                  "and as a directory")
        if stays_inside(parts, target):
            plan.links.append((parts, target))
        else:
            plan.refused_links.append((path, target))
    for parts in [parts for parts, _ in plan.files] + [parts for parts, _ in plan.links]:
        if parts in directories:
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: the episode has it both "
                                  "as a file and as a directory")
    return plan


def _refuse_unless_empty(dest: Path, replaced: list[str]) -> None:
    """CheckoutRefused when `dest` holds anything, naming (some of) the files the checkout replaces."""
    try:
        with os.scandir(dest) as entries:
            empty = next(entries, None) is None
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CheckoutRefused(f"cannot look into {show(str(dest))}: {exc.strerror}") from None
    if empty:
        return
    names = ", ".join(show(path) for path in sorted(replaced)[:SHOWN_REPLACED])
    more = f" and {len(replaced) - SHOWN_REPLACED} more" if len(replaced) > SHOWN_REPLACED else ""
    what = f"would replace {names}{more}" if replaced else "would replace no file in it"
    raise CheckoutRefused(f"{show(str(dest))} is not empty; the checkout {what} "
                          "(--force writes into it anyway)")


def _check_target(dest: Path, parts: tuple[str, ...], seen: dict[Path, int], *, link: bool = False) -> bool:
    """Refuse symlinks and non-directories on the way to `dest/parts`, and a non-file at the end (a
    `link` may replace a link there); True when something is there already (it would be replaced)."""
    current = dest
    for depth, part in enumerate(parts, start=1):
        current = current / part
        mode = seen.get(current)
        if mode is None:
            try:
                mode = seen[current] = os.lstat(current).st_mode
            except FileNotFoundError:
                return False
        where = show("/".join(parts[:depth]))
        if link and depth == len(parts) and stat.S_ISLNK(mode):
            return True
        if stat.S_ISLNK(mode):
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: {where} in "
                                  f"{show(str(dest))} is a symlink")
        if depth < len(parts) and not stat.S_ISDIR(mode):
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: {where} in "
                                  f"{show(str(dest))} is not a directory")
        if depth == len(parts) and not stat.S_ISREG(mode):
            raise CheckoutRefused(f"refusing to check out {show('/'.join(parts))}: it exists in "
                                  f"{show(str(dest))} and is not a regular file")
    return True


def write_checkout(plan: CheckoutPlan, dest: Path) -> int:
    """Write the planned files, then make the planned links, under `dest` (created if missing); returns
    how many files were written."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
        root = os.open(dest, os.O_RDONLY | DIRECTORY)
    except OSError as exc:
        raise CheckoutRefused(f"cannot write into {show(str(dest))}: {exc.strerror}") from None
    try:
        for parts, text in plan.files:
            _write_file(root, parts, text.encode("utf-8", "surrogatepass"))
        for parts, target in plan.links:
            _write_link(root, parts, target)
    finally:
        os.close(root)
    return len(plan.files)


def _write_file(root: int, parts: tuple[str, ...], data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = open_beneath(root, "/".join(parts), flags, 0o666, make_dirs=True)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise _refused(parts, exc) from None


def _write_link(root: int, parts: tuple[str, ...], target: str) -> None:
    try:
        replace_with_link(root, "/".join(parts), target, make_dirs=True)
    except OSError as exc:
        raise _refused(parts, exc) from None


def _refused(parts: tuple[str, ...], exc: OSError) -> CheckoutRefused:
    path = show("/".join(parts))
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EEXIST):
        return CheckoutRefused(f"refusing to check out {path}: a symlink or file is in its way")
    return CheckoutRefused(f"cannot write {path}: {exc.strerror}")
