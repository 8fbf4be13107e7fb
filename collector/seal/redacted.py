"""What the collector passes to `seal_journal`: redaction of every sealed episode, before it is written.

`seal_transform()` returns a transform that `seal_journal` binds to the episode's header (its position
encoding) before use. After a seal its `summary` holds the redaction summary, and, given `summaries`,
the summary is also written next to the episodes as `<episode id>.redactions.json` (0600): the masked
previews the review shows, which the episode itself must not carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from collector.redact.placeholders import RedactionSummary
from collector.redact.rules import RuleSet
from collector.redact.steps import redact_steps
from collector.seal.journal import SealResult, seal_journal
from collector.seal.summaries import SUFFIX, write_summary
from schemas import EpisodeHeader, Step
from schemas.common import PositionEncoding


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
