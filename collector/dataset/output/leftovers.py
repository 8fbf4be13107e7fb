"""Export files a build that did not finish left in OUT/exports/, found without naming every export file.

Snapshot records name only the export files their build added (snapshots.py), so the files of a build that
died are not told apart by comparing OUT with a listing. Instead a build leaves a mark,
`_builds/bNNNNN.running`, before it writes or deletes any export file, and takes it away once its manifest
is written. A later build that finds a mark (or a dataset whose last record is a v1 one, by a codetape that
kept no mark) walks OUT/exports/ one folder at a time and deletes every file that is not of a format the
manifest keeps or not of an episode in the dataset (`remove_leftovers`), then the marks.

A withdrawn episode's export files are named by `export_names` (`exports/FORMAT/SIGNER/<id><suffix>`, and
its Parquet twin): a build that died after deleting them left earlier records naming them, and the next,
which withdraws the episode again, takes them out of those records by these names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from collector.dataset.output.output import Output
from collector.dataset.output.snapshots import SNAPSHOTS as MARKS
from collector.dataset.output.staged import FOLDER
from collector.dataset.output.twins import SCHEMAS, twin_suffix
from collector.dataset.output.writer import EpisodeKey
from collector.export import FORMATS

RUNNING = ".running"


def mark(number: int) -> str:
    return f"{MARKS}/b{number:05d}{RUNNING}"


def mark_running(out: Output, number: int) -> None:
    """Say that build `number` is writing export files (before the first)."""
    out.folder(MARKS)
    out.write(mark(number), b"")


def marked(out: Output) -> list[str]:
    """The marks of builds that did not take theirs away (relative paths)."""
    return [path for path, _size in out.walk(MARKS, RUNNING)]


def export_names(formats: Iterable[str], episodes: Iterable[EpisodeKey]) -> set[str]:
    """The export files (and twins) `episodes` have or had in `formats`, by name."""
    names = set()
    for fmt in formats:
        for episode_id, signer in episodes:
            names.add(f"{FOLDER}/{fmt}/{signer}/{episode_id}{FORMATS[fmt].suffix or ''}")
            if fmt in SCHEMAS:
                names.add(f"{FOLDER}/{fmt}/{signer}/{episode_id}{twin_suffix(fmt)}")
    return names


def remove_leftovers(out: Output, formats: Iterable[str], kept: Callable[[str, str], bool]) -> int:
    """Delete, a folder at a time, the export files not of one of `formats` or of no episode `kept` (by
    signer and episode id); how many."""
    keep, deleted = set(formats), 0
    for path, _size in out.walk(FOLDER, ""):
        parts = path.split("/")
        if len(parts) == 4 and parts[1] in keep and kept(parts[2], parts[3].split(".", 1)[0]):
            continue
        out.delete(path)
        deleted += 1
    return deleted
