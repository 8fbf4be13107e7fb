"""A file's texts on disk through an episode's replay, with whose change put each there (issue 86's checks:
every origin the truth, the replay equal to the disk at every save)."""

from __future__ import annotations

from typing import Any

from collector.reconstruct.workspace import Workspace
from collector.text.digest import sha256_text
from schemas import step_from_dict


def disk_changes(steps: list[dict[str, Any]], path: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Each text `path` has on disk in the replay of `steps` (after the first, the file as the editor opened
    it), with whose change put it there and the step: "agent" for a `file_change` of origin agent, "nobody"
    for one without an origin (another program's write: never the developer's save, which an editor's step
    or the watcher's view of it as her unsaid `save` records), its origin for any other, else "developer"."""
    disk, changes = Workspace("utf-16"), []
    before = None
    for plain in steps:
        disk.apply(step_from_dict(plain))
        now = disk.disk.get(path)
        if now != before and before is not None:
            whose = (plain.get("origin") or "nobody") if plain["kind"] == "file_change" else "developer"
            changes.append((now or "", whose, plain))
        before = now
    return changes


def saves_off_disk(steps: list[dict[str, Any]], path: str) -> list[tuple[int, str | None]]:
    """The `save` steps of `path` whose SHA-256 is not what the replay has on disk at that step (with the
    step's time and what the replay had): empty when the replay is the disk at every save."""
    disk, off = Workspace("utf-16"), []
    for plain in steps:
        disk.apply(step_from_dict(plain))
        if plain["kind"] == "save" and plain.get("path") == path:
            now = disk.disk.get(path)
            if now is None or sha256_text(now) != plain.get("sha256"):
                off.append((int(plain["t_ms"]), now))
    return off
