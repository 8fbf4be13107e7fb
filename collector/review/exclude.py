"""Excluding files in review: which paths and folders the excluded ones are, so they can be masked.

`exclude_files` (collector/seal/exclude.py, shared with the seal) drops every step about an excluded
file. Mentions of the paths in free text are masked afterwards (see `spans`), which needs them all before
the steps go by: `excluded_paths` works them out from a list of the episode's paths and renames,
`excluded_folders` the folders excluded whole above them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from collector.seal.exclude import Excluded, ExcludeReport, exclude_files

__all__ = ["ExcludeReport", "Excluded", "exclude_files", "excluded_folders", "excluded_paths"]


def excluded_paths(paths: Iterable[str], renames: Iterable[tuple[str, str]], excluded: Excluded) -> set[str]:
    """The paths `exclude_files` excludes, given every path and every rename (in order) of an episode."""
    out = {path for path in paths if excluded(path)}
    for old, new in renames:
        if old in out:
            out.add(new)
    return out


def excluded_folders(paths: Iterable[str], excluded: Excluded) -> set[str]:
    """The folders above `paths` that are excluded themselves (`notes` for `notes/`), to mask where a
    path below them is written."""
    return {folder for path in paths for folder in _parents(path) if excluded(folder)}


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")
    return ("/".join(parts[:n]) for n in range(1, len(parts)))
