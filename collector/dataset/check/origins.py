"""`--origin ORIGINS [--origin-share S]`: a dataset of the work a data team wants, by whose it is.

An episode is kept when at least S (default 1: all) of the characters written in it are of the origins
listed (schemas/steps/edit.py: typed, paste, completion, ai_completion, agent, ..., unknown), each an
origin or a class of them (`human`, `ai`, `unknown`: schemas/steps/edit.py ORIGIN_CLASS, the contributors
Agent Trace names; `unknown` is both the origin and its class, which holds only it): the
characters its edits inserted, by each edit's `origin` (none: `unknown`, as every episode from before
origins), and the characters the writes to disk outside the editor inserted (`file_change` steps: those
between what the old and the new text share at their start and end, collector/episode/disk_writes.py
`disk_write`): `agent` when an agent claimed the write (origin `agent`), `format` when a formatter run
on save wrote it (origin `format`, of the class `human`), `unknown` otherwise (a program, a shell
command, an agent whose hook said nothing: whose it was is not known; a notebook's save whose virtual
document holds its typing is not counted again). An episode that writes nothing is kept.
Any other is a row of `rejected`, reason `origin`, saying how much was of what. Whole episodes, never
single steps: an episode's steps replay only together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from collector.dataset.check.reasons import Rejected
from collector.episode.summary import by_class
from collector.errors import UsageError
from schemas.steps.edit import ORIGIN_CLASS, EditOrigin, OriginClass

ORIGINS: tuple[str, ...] = get_args(EditOrigin)
CLASSES: tuple[str, ...] = get_args(OriginClass)


def class_shares(inserted: dict[str, int], on_disk: dict[str, int]) -> dict[str, float | None]:
    """The share of what an episode wrote (as `OriginFilter.check` counts it) of each class, by name
    (`human`, `ai`, `unknown`); None for each when it wrote nothing."""
    chars = by_class(_written(inserted, on_disk))
    total = sum(chars.values())
    return {whose: count / total if total else None for whose, count in chars.items()}


def _written(inserted: dict[str, int], on_disk: dict[str, int]) -> dict[str, int]:
    written = dict(inserted)
    for origin, chars in on_disk.items():
        written[origin] = written.get(origin, 0) + chars
    return written


@dataclass(frozen=True)
class OriginFilter:
    keep: frozenset[str]  # origins (a class given: its origins)
    share: float = 1.0  # of the characters written, at least
    named: frozenset[str] = frozenset()  # as given: origins and classes (empty: `keep`)

    def describe(self) -> str:
        """As the manifest records it (a later build must give the same): `paste,typed`, `human` or
        `...@0.9`."""
        listed = ",".join(sorted(self.named or self.keep))
        return listed if self.share == 1.0 else f"{listed}@{self.share:g}"

    def check(self, inserted: dict[str, int], on_disk: dict[str, int]) -> None:
        """Rejected("origin") unless `share` of what the episode wrote (its edits' `inserted` characters and
        the `on_disk` characters of its file changes, per origin) is of the origins kept."""
        written = _written(inserted, on_disk)
        total = sum(written.values())
        kept = sum(chars for origin, chars in written.items() if origin in self.keep)
        if total == 0 or kept >= self.share * total:
            return
        others = sorted(((chars, origin) for origin, chars in written.items()
                         if origin not in self.keep and chars), reverse=True)
        said = ", ".join(f"{origin} {chars / total:.0%}" for chars, origin in others[:4])
        listed = ", ".join(sorted(self.named or self.keep))
        raise Rejected("origin", f"{kept / total:.0%} of the {total:,} characters it wrote are of "
                       f"{listed} (--origin-share {self.share:g} wanted); {said}")


def parse_origins(listed: str, share: float | None) -> OriginFilter:
    """--origin's comma-separated origins and classes, and --origin-share; UsageError naming what is wrong."""
    named = frozenset(part.strip() for part in listed.split(",") if part.strip())
    unknown = sorted(named - set(ORIGINS) - set(CLASSES))
    if not named or unknown:
        raise UsageError(f"--origin: {', '.join(unknown) or 'nothing'} is not an origin; give some of "
                         f"{', '.join(ORIGINS)}, or the classes {', '.join(CLASSES)}, comma-separated")
    keep = frozenset(origin for origin in ORIGINS if origin in named or ORIGIN_CLASS[origin] in named)
    if share is None:
        return OriginFilter(keep, named=named)
    if not 0.0 < share <= 1.0:
        raise UsageError(f"--origin-share {share:g}: give a share above 0 and at most 1 (0.9: nine tenths)")
    return OriginFilter(keep, share, named)
