"""Whose a write to disk outside the editor is and how many characters it inserted: one count for the
episode summary, `codetape stats` and the dataset's rows.

`disk_write` judges one `file_change` against the text on disk it replaced. `DiskWrites` sees an episode's
steps go by and leaves out what the episode already holds as typing: a notebook's save whose virtual
document is in the episode (notebooks.py), its cells typed there as edits.
"""

from __future__ import annotations

from collector.episode.notebooks import Mirrors
from collector.text.linediff import inserted_chars
from schemas import Step
from schemas import steps as kinds


def disk_write(step: kinds.FileChangeStep, on_disk: str | None) -> tuple[str, int] | None:
    """Whose a write to disk outside the editor is (`agent` when an agent claimed it, `format` when a
    formatter the editor ran on save wrote it, else `unknown`: a program's, a shell command's, an agent's
    whose hook said nothing) and the characters it inserted over
    `on_disk`, the file's text before it (linediff.inserted_chars). When that text is not known (no
    snapshot, the file not seen before): the characters the agent's tool reported it inserted
    (`changed_chars`), all of the text when the watcher saw the file created, else none (how much a
    write over a file nobody saw changed cannot be told). None when it wrote no text (a deletion, a
    binary or omitted file, a link)."""
    if step.text is None:
        return None
    whose = step.origin if step.origin in ("agent", "format") else "unknown"
    if on_disk is not None:
        return whose, inserted_chars(on_disk, step.text)
    if step.changed_chars is not None:
        return whose, step.changed_chars
    return whose, len(step.text) if step.change == "created" else 0


class DiskWrites:
    """One episode's writes to disk, counted in step order (`see` every step, then `written`)."""

    def __init__(self) -> None:
        self.mirrors = Mirrors()

    def see(self, step: Step) -> None:
        self.mirrors.see(step)

    def written(self, step: kinds.FileChangeStep, on_disk: str | None) -> tuple[str, int] | None:
        """disk_write's answer, None for a notebook's save whose typing the episode holds as edits."""
        return None if self.mirrors.typed(step) else disk_write(step, on_disk)
