"""ProgSnap2 code states: `CodeStates/<CodeStateID>/` holds the workspace's files at one moment.

A code state is the workspace as `codetape checkout` writes it at that step (editor buffers over what is
on disk; files recorded without content are left out), written by the same checkout code, so every
episode path is checked before anything is written. Its id is the first 20 hex digits of a SHA-256 over
the paths and texts, so identical states (in one episode or across episodes) share one directory, which
is written once: into a temporary directory beside it, then renamed into place.

A file's bytes are stored once per export on disk: a file whose bytes an earlier state of this export
holds (or an earlier path of the same state) is another name of that file, a hard link, so the disk
holds the files that changed, not the whole workspace again. Where the file system will not link (or a
file has as many names as it takes), the bytes are written again.

What a state costs the episode's allowance (allowance.py) is what the export is to whoever reads it, not
what the disk keeps: each name's bytes whether it is linked or written (a copy, an archive, an upload or
progsnap2-zip of the export holds a full copy for every name), ENTRY_BYTES for each file, link and
directory, and each link's target. All of it is counted before anything of the state is written, so a
state the allowance does not cover is never started. The states an episode wrote are removed again when
it is refused (`discard`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import zipfile
from pathlib import Path

from collector.episode.resolve import show
from collector.errors import CheckoutRefused
from collector.export.allowance import Allowance
from collector.reconstruct.checkout import CheckoutPlan, plan_checkout, plan_paths, write_checkout
from collector.reconstruct.workspace import Workspace
from collector.workspace.beneath import hardlink_beneath

DIRECTORY = "CodeStates"
ID_HEX = 20
ENTRY_BYTES = 512  # what a file of a code state costs besides its bytes: its name and its inode
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's time in an archive (the earliest a zip holds): the same
# episode gives the same bytes


class CodeStates:
    """The `CodeStates/` directory of one export; `id_of(workspace)` writes the state when it is new."""

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / DIRECTORY
        if self.root.is_symlink():
            raise CheckoutRefused(f"refusing to write code states: {show(str(self.root))} is a symlink")
        self.root.mkdir(exist_ok=True)
        self.real = self.root.resolve()
        self.files = 0  # files written or linked by this export
        self.stored: dict[bytes, str] = {}  # SHA-256 of a file's bytes -> a file holding them, under root
        self.written: list[tuple[Path, int]] = []  # the states this export wrote, with their files

    def discard(self, since: int) -> None:
        """Remove the states written after the first `since` (those of an episode refused)."""
        gone = {target.name for target, _files in self.written[since:]}
        for target, files in self.written[since:]:
            shutil.rmtree(target, ignore_errors=True)
            self.files -= files
        del self.written[since:]
        self.stored = {key: path for key, path in self.stored.items() if path.split("/", 1)[0] not in gone}

    def id_of(self, workspace: Workspace, allowance: Allowance) -> str:
        state_id = state_of(workspace)
        target = self.root / state_id
        if not target.is_dir():
            self._write(workspace, target, allowance)
        return state_id

    def _write(self, workspace: Workspace, target: Path, allowance: Allowance) -> None:
        staging = self.root / f".{target.name}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            plan = plan_checkout(workspace, staging)
            allowance.spend(_layout_cost(plan))
            first: dict[bytes, str] = {}  # the bytes this state stores itself -> where
            fresh: list[tuple[tuple[str, ...], str]] = []
            again: list[tuple[tuple[str, ...], str, str]] = []  # (path, text, the file holding its bytes)
            for parts, text in plan.files:
                data = text.encode("utf-8", "surrogatepass")
                allowance.spend(len(data))  # linked or not: a full copy to whoever copies the export
                key = hashlib.sha256(data).digest()
                source = self.stored.get(key) or (f"{staging.name}/{first[key]}" if key in first else None)
                if source is None:
                    first[key] = "/".join(parts)
                    fresh.append((parts, text))
                else:
                    again.append((parts, text, source))
            write_checkout(CheckoutPlan(files=fresh), staging)
            for parts, text, source in again:
                try:
                    hardlink_beneath(self.real / staging.name, "/".join(parts), self.real, source,
                                     make_dirs=True)
                except OSError:  # no links here, or too many names for one file: the bytes again
                    write_checkout(CheckoutPlan(files=[(parts, text)]), staging)
            write_checkout(CheckoutPlan(links=plan.links), staging)
            os.rename(staging, target)
        except BaseException:
            with contextlib.suppress(OSError):
                shutil.rmtree(staging)
            raise
        self.files += len(plan.files)
        self.written.append((target, len(plan.files)))
        self.stored.update((key, f"{target.name}/{path}") for key, path in first.items())


class ZippedStates:
    """The `CodeStates/` of a ProgSnap2 dataset written straight into a zip archive (progsnap2_zip.py):
    each new state's directories, files and links as entries, nothing on disk. The states' ids, what they
    cost the allowance and the paths they refuse are CodeStates'; an archive has no links between files,
    so every name holds its bytes (as the allowance already counts them)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.files = 0
        self.written: list[str] = []  # the states' ids, in the order written
        self._ids: set[str] = set()
        self._entry(f"{DIRECTORY}/", directory=True)

    def discard(self, since: int) -> None:
        """Nothing to take back: an archive refused is not written at all (progsnap2_zip.py)."""

    def id_of(self, workspace: Workspace, allowance: Allowance) -> str:
        state_id = state_of(workspace)
        if state_id not in self._ids:
            self._write(workspace, f"{DIRECTORY}/{state_id}", allowance)
            self._ids.add(state_id)
            self.written.append(state_id)
        return state_id

    def _write(self, workspace: Workspace, root: str, allowance: Allowance) -> None:
        plan = plan_paths(workspace)
        allowance.spend(_layout_cost(plan) + sum(len(text.encode("utf-8", "surrogatepass"))
                                                  for _parts, text in plan.files))
        entries: list[tuple[tuple[str, ...], str | None, str | None]] = [((), None, None)]
        names = [parts for parts, _text in plan.files] + [parts for parts, _target in plan.links]
        entries += [(folder, None, None) for folder in sorted({parts[:depth] for parts in names
                                                               for depth in range(1, len(parts))})]
        entries += [(parts, text, None) for parts, text in plan.files]
        entries += [(parts, None, target) for parts, target in plan.links]
        for parts, text, target in sorted(entries, key=lambda entry: entry[0]):
            name = "/".join((root, *parts))
            if text is not None:
                self._entry(name, text.encode("utf-8", "surrogatepass"))
            elif target is not None:
                self._entry(name, target.encode("utf-8", "surrogatepass"), link=True)
            else:
                self._entry(name + "/", directory=True)
        self.files += len(plan.files)

    def _entry(self, name: str, data: bytes = b"", *, directory: bool = False, link: bool = False) -> None:
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        if directory:
            info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10  # (0x10: MS-DOS's directory bit)
            self.archive.writestr(info, b"")
            return
        info.external_attr = ((stat.S_IFLNK | 0o777) if link else (stat.S_IFREG | 0o644)) << 16
        info.compress_type = zipfile.ZIP_STORED if link else zipfile.ZIP_DEFLATED
        self.archive.writestr(info, data)


def state_of(workspace: Workspace) -> str:
    """A code state's id: the first ID_HEX hex digits of a SHA-256 over its files' paths and texts."""
    digest = hashlib.sha256()
    for path, text in workspace.files().items():
        for part in (path.encode("utf-8", "surrogatepass"), text.encode("utf-8", "surrogatepass")):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()[:ID_HEX]


def _layout_cost(plan: CheckoutPlan) -> int:
    """What a state's names cost besides its files' bytes: ENTRY_BYTES for each file, link and directory
    (the state's own too), and each link's target."""
    names = [parts for parts, _text in plan.files] + [parts for parts, _target in plan.links]
    directories = {parts[:depth] for parts in names for depth in range(len(parts))}
    targets = sum(len(target.encode("utf-8", "surrogatepass")) for _parts, target in plan.links)
    return ENTRY_BYTES * (len(names) + len(directories)) + targets
