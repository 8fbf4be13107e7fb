"""`--origin ORIGINS [--origin-share S]`: a dataset of the work a data team wants, by whose it is.

An episode is kept when at least S (default 1: all) of the characters written in it are of the origins
listed (schemas/steps/edit.py: typed, paste, completion, ai_completion, agent, ..., unknown): the
characters its edits inserted, by each edit's `origin` (none: `unknown`, as every episode from before
origins), and the characters the writes to disk outside the editor inserted (`file_change` steps: those
between what the old and the new text share at their start and end, collector/episode/summary.py
`disk_write`): `agent` when an agent claimed the write (origin `agent`), `unknown` otherwise (a
program, a shell command, an agent whose hook said nothing: whose it was is not known). An episode that
writes nothing is kept.
Any other is a row of `rejected`, reason `origin`, saying how much was of what. Whole episodes, never
single steps: an episode's steps replay only together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from collector.dataset.reasons import Rejected
from collector.errors import UsageError
from schemas.steps.edit import EditOrigin

ORIGINS: tuple[str, ...] = get_args(EditOrigin)


@dataclass(frozen=True)
class OriginFilter:
    keep: frozenset[str]
    share: float = 1.0  # of the characters written, at least

    def describe(self) -> str:
        """As the manifest records it (a later build must give the same): `paste,typed` or `...@0.9`."""
        listed = ",".join(sorted(self.keep))
        return listed if self.share == 1.0 else f"{listed}@{self.share:g}"

    def check(self, inserted: dict[str, int], on_disk: dict[str, int]) -> None:
        """Rejected("origin") unless `share` of what the episode wrote (its edits' `inserted` characters and
        the `on_disk` characters of its file changes, per origin) is of the origins kept."""
        written = dict(inserted)
        for origin, chars in on_disk.items():
            written[origin] = written.get(origin, 0) + chars
        total = sum(written.values())
        kept = sum(chars for origin, chars in written.items() if origin in self.keep)
        if total == 0 or kept >= self.share * total:
            return
        others = sorted(((chars, origin) for origin, chars in written.items()
                         if origin not in self.keep and chars), reverse=True)
        said = ", ".join(f"{origin} {chars / total:.0%}" for chars, origin in others[:4])
        raise Rejected("origin", f"{kept / total:.0%} of the {total:,} characters it wrote are of "
                       f"{', '.join(sorted(self.keep))} (--origin-share {self.share:g} wanted); {said}")


def parse_origins(listed: str, share: float | None) -> OriginFilter:
    """--origin's comma-separated origins and --origin-share; UsageError naming what is wrong."""
    keep = frozenset(part.strip() for part in listed.split(",") if part.strip())
    unknown = sorted(keep - set(ORIGINS))
    if not keep or unknown:
        raise UsageError(f"--origin: {', '.join(unknown) or 'nothing'} is not an origin; give some of "
                         f"{', '.join(ORIGINS)}, comma-separated")
    if share is None:
        return OriginFilter(keep)
    if not 0.0 < share <= 1.0:
        raise UsageError(f"--origin-share {share:g}: give a share above 0 and at most 1 (0.9: nine tenths)")
    return OriginFilter(keep, share)
