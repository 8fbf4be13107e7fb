"""What the collector passes to `seal_journal`: redaction of every sealed episode, before it is written.

`seal_transform()` returns a transform that `seal_journal` binds to the episode's header (its position
encoding) before use. After a seal its `summary` holds the redaction summary, and, given `summaries`,
the summary is also written next to the episodes as `<episode id>.redactions.json` (0600): the masked
previews the review shows, which the episode itself must not carry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from collector.redact.placeholders import RedactionSummary
from collector.redact.rules import RuleSet
from collector.redact.steps import redact_steps
from collector.seal import SealResult, seal_journal
from schemas import EpisodeHeader, Step
from schemas.common import PositionEncoding

SUFFIX = ".redactions.json"


class SealTransform:
    """Callable on a step stream. Unbound it assumes the header's default position encoding (utf-16)."""

    def __init__(self, rules: RuleSet, *, summaries: Path | None = None,
                 header: EpisodeHeader | None = None) -> None:
        self.rules = rules
        self.summaries = summaries
        self.header = header
        self.summary = RedactionSummary(rules.version)

    def with_header(self, header: EpisodeHeader) -> SealTransform:
        """The same transform for one episode."""
        return SealTransform(self.rules, summaries=self.summaries, header=header)

    def __call__(self, steps: Iterator[Step]) -> Iterator[Step]:
        encoding: PositionEncoding = self.header.position_encoding if self.header is not None else "utf-16"
        self.summary = RedactionSummary(self.rules.version)
        yield from redact_steps(steps, encoding, self.rules, self.summary)
        if self.summaries is not None and self.header is not None:
            write_summary(self.summaries / f"{self.header.episode_id}{SUFFIX}", self.summary)


def seal_transform(rules: RuleSet | None = None, *, summaries: Path | None = None) -> SealTransform:
    """The transform the collector daemon passes to `seal_journal`."""
    return SealTransform(rules if rules is not None else RuleSet.default(), summaries=summaries)


def seal_redacted(journal: Path, episodes: Path) -> SealResult | None:
    """Seal a journal the way the collector does: secrets redacted before the episode is written, the
    redaction summary (with its masked previews) kept beside it."""
    return seal_journal(journal, episodes, transform=seal_transform(summaries=episodes))


def summary_path(episode: Path) -> Path:
    """Where the redaction summary of an episode file is kept."""
    return episode.with_name(episode.name.removesuffix(".ctape") + SUFFIX)


def write_summary(path: Path, summary: RedactionSummary) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(summary.to_dict(), out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def read_summary(episode: Path) -> RedactionSummary | None:
    """The redaction summary written when `episode` was sealed; None when there is none."""
    try:
        data = json.loads(summary_path(episode).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return RedactionSummary.from_dict(data) if isinstance(data, dict) else None
