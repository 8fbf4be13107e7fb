"""ProgSnap2 code states: `CodeStates/<CodeStateID>/` holds the workspace's files at one moment.

A code state is the workspace as `codetape checkout` writes it at that step (editor buffers over what is
on disk; files recorded without content are left out), written by the same checkout code, so every
episode path is checked before anything is written. Its id is the first 20 hex digits of a SHA-256 over
the paths and texts, so identical states (in one episode or across episodes) share one directory, which
is written once: into a temporary directory beside it, then renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from collector.episode.resolve import show
from collector.errors import CheckoutRefused
from collector.reconstruct.checkout import plan_checkout, write_checkout
from collector.reconstruct.workspace import Workspace

DIRECTORY = "CodeStates"
ID_HEX = 20


class CodeStates:
    """The `CodeStates/` directory of one export; `id_of(workspace)` writes the state when it is new."""

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / DIRECTORY
        if self.root.is_symlink():
            raise CheckoutRefused(f"refusing to write code states: {show(str(self.root))} is a symlink")
        self.root.mkdir(exist_ok=True)
        self.files = 0  # files written by this export

    def id_of(self, workspace: Workspace) -> str:
        digest = hashlib.sha256()
        for path, text in workspace.files().items():
            for part in (path.encode("utf-8", "surrogatepass"), text.encode("utf-8", "surrogatepass")):
                digest.update(len(part).to_bytes(8, "big") + part)
        state_id = digest.hexdigest()[:ID_HEX]
        target = self.root / state_id
        if not target.is_dir():
            self._write(workspace, target)
        return state_id

    def _write(self, workspace: Workspace, target: Path) -> None:
        staging = self.root / f".{target.name}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            written = write_checkout(plan_checkout(workspace, staging), staging)
            os.rename(staging, target)
        except BaseException:
            with contextlib.suppress(OSError):
                shutil.rmtree(staging)
            raise
        self.files += written
