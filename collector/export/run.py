"""`export_episodes`: the episodes one at a time through one format into one directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from collector.consent.statement import signed_unlinkably
from collector.episode import Episode, open_episode
from collector.episode.resolve import show
from collector.errors import CheckoutRefused, EpisodeError, ReconstructionError, UsageError
from collector.export.edits.base.examples import KEYS, LEFT_OUT, LocalFiles, dedup
from collector.export.formats import FORMATS
from collector.export.result import SPLIT_FORMATS, ExportResult
from collector.export.split import assign, repository_of
from schemas import Step

UNKNOWN_KINDS = "steps of kinds this codetape does not know"


def export_episodes(episodes: Iterable[Path | Episode], fmt: str, out_dir: Path, *,
                    progress: Callable[[int], None] | None = None,
                    splits: Mapping[str, str] | None = None) -> ExportResult:
    """Export `episodes` (paths, or episodes already opened) as `fmt` into `out_dir` (created if missing;
    files of the same name are replaced). One episode is read at a time; `progress`, when given, is
    called with each episode's size in bytes once it is done. An episode id seen before is skipped.
    Raises UsageError for an unknown format and EpisodeError naming the episode that cannot be
    exported (damaged, hostile, or its steps do not replay); what was written before it stays.
    `splits` (episode id -> train, eval or none) is what a dataset decided; without it, a format that
    writes a split (SPLIT_FORMATS) reads the episodes once more first, to decide theirs (split.assign),
    and once they are written leaves out of eval the examples identical to a train example
    (edits/base/examples.py), counted in `skipped`."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise UsageError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ExportResult(fmt, out_dir)
    if fmt in SPLIT_FORMATS:
        listed = list(episodes)
        episodes = listed
        result.splits = dict(splits) if splits is not None else assign(_headed(listed))
    seen: set[str] = set()
    with chosen.open(out_dir, result) as exporter:
        for given in episodes:
            episode = given if isinstance(given, Episode) else _open(given)
            episode_id = str(episode.header.episode_id)
            if episode_id in seen:
                result.skipped["duplicate episodes"] += 1
                continue
            seen.add(episode_id)
            try:
                exporter.add(episode)
            except (EpisodeError, ReconstructionError, CheckoutRefused) as exc:
                raise EpisodeError(f"cannot export {show(str(episode.path))}: {exc}") from None
            result.episodes += 1
            if episode.skipped:
                result.skipped[UNKNOWN_KINDS] += sum(episode.skipped.values())
            if progress is not None:
                progress(os.path.getsize(episode.path))
    if fmt in KEYS and chosen.suffix is not None:
        written = [f"{name}{chosen.suffix}" for name in sorted(seen)]
        left_out = dedup(fmt, LocalFiles(out_dir), written).left_out
        result.records -= sum(left_out.values())
        if left_out["eval"]:
            result.skipped[LEFT_OUT] += left_out["eval"]
    return result


def _headed(episodes: list[Path | Episode]) -> Iterator[tuple[str, str, Iterator[Step]]]:
    for given in episodes:
        episode = given if isinstance(given, Episode) else _open(given)
        repository = repository_of(episode.header, signed_unlinkably(episode.consent))
        yield str(episode.header.episode_id), repository, episode.steps()


def _open(path: Path) -> Episode:
    try:
        return open_episode(path)
    except EpisodeError as exc:
        raise EpisodeError(f"cannot export {show(str(path))}: {exc}") from None
