"""Trimming an episode as the reviewer asked, into a new episode file that still replays.

A pipeline over the steps, one generator per kind of change, then the writer:

    episode.steps() -> limits (the managed policy's) -> leave_out_prompts -> exclude_files
                    -> mask_contents -> mask_names -> mask_spans -> drop_ranges -> write_episode_file

A survey pass first collects every path the episode names (so the excluded ones can be masked wherever
they are written, and the others renamed where a pattern matches them, before the pipeline reaches them),
the agent prompts (so those left out can be masked where else they are written) and the placeholders
already there (so new ones are numbered after them); when files are excluded, their texts are replayed
from their steps, so the lines they held can be masked in the free text kept, with their bare names. Masking
comes before dropping, so a dropped range's gap is built from texts already masked. The new file is
replayed in full before it is handed back; an episode that would not replay is never left behind. The
header keeps the episode's id, with the review's masks applied to what it says of the workspace; no
exclusion glob is written anywhere in the episode, neither the review's nor the workspace's capture
exclusions (which the header of an episode sealed before they left it still holds): the consent statement
binds a keyed hash of them. Keyframes are never copied: the writer takes new ones from the trimmed steps,
so no excluded file, masked secret or dropped step survives in one.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import assert_never

from collector.episode import Episode, open_episode, write_episode_file
from collector.errors import CodetapeError, ReconstructionError
from collector.policy.limits import Beyond
from collector.reconstruct.keyframes import keyframe_states
from collector.redact import RedactionSummary
from collector.redact.stream.buffer import placeholders_in
from collector.review.contents import CONTENT_RULE, NAME_RULE, FreeText, excluded_lines, mask_contents
from collector.review.drop import Dropped, drop_ranges
from collector.review.errors import ReviewError
from collector.review.exclude import ExcludeReport, exclude_files, excluded_folders, excluded_paths
from collector.review.names import mask_header, mask_names, path_names
from collector.review.plan import Exclusions, TrimPlan
from collector.review.prompts import PROMPT_RULE, PromptsReport, leave_out_prompts
from collector.review.redactions import written_texts
from collector.review.spans import (
    PATH_RULE,
    mask_spans,
    name_regex,
    pattern_rule,
    review_redactor,
    span_reasons,
)
from collector.seal.summaries import published_header, read_summary
from collector.sources.git.snapshot import named_in
from schemas import Step
from schemas import steps as kinds

REVIEW_MARK = "+review"
MAX_VERSION = 64


@dataclass
class TrimResult:
    """The trimmed file and what each part of the plan did."""

    path: Path
    plan: TrimPlan
    steps: int
    excluded: ExcludeReport
    dropped: list[Dropped]
    redaction: RedactionSummary  # the episode's own summary plus the values the review masked
    new_counts: dict[str, int] = field(default_factory=dict)  # rule -> values masked by the review
    renamed: dict[str, str] = field(default_factory=dict)  # a kept file's path -> its masked path
    unmatched_globs: list[str] = field(default_factory=list)
    prompts: PromptsReport = field(default_factory=PromptsReport)  # agent prompts left out
    beyond: Beyond | None = None  # what the managed policy's limits took out (plan.limits)

    def unused(self) -> list[str]:
        """Each part of the plan that changed nothing (a mistyped glob, range or pattern)."""
        lines = [f"exclude {glob} matches no file in the episode" for glob in self.unmatched_globs]
        lines += [f"drop {d.start_ms}:{d.end_ms} holds no steps" for d in self.dropped if not d.steps]
        lines += [f"redact /{pattern}/ matches nothing" for n, pattern in enumerate(self.plan.patterns, 1)
                  if not self.new_counts.get(pattern_rule(n))]
        if self.plan.prompts and not self.prompts.prompts:
            lines.append("leave out agent prompts: the episode holds none")
        return lines


@dataclass
class Survey:
    paths: set[str]
    renames: list[tuple[str, str]]
    placeholders: RedactionSummary
    prompts: list[str]


def survey(episode: Episode) -> Survey:
    """Every path the steps name, every rename, the redaction counts their placeholders imply, and the
    agent prompts."""
    paths: set[str] = set()
    renames: list[tuple[str, str]] = []
    redactions: list[Step] = []
    prompts: list[str] = []
    for step in episode.steps():
        path = getattr(step, "path", None)
        if isinstance(path, str):
            paths.add(path)
        match step:
            case kinds.FileChangeStep(change="renamed", new_path=str() as new_path):
                paths.add(new_path)
                renames.append((step.path, new_path))
            case kinds.GapStep():
                paths.update(file.path for file in step.state or ())
                if step.on_disk_only:  # and the files a snapshot names as left out
                    paths.update(named_in(step.detail))
            case kinds.GitStep(files=files):
                paths.update(stat.path for stat in files)
            case kinds.AgentStep(targets=targets, prompt=prompt):
                paths.update(targets)
                if prompt is not None:
                    prompts.append(prompt)
            case kinds.RedactionStep():
                redactions.append(step)
            # no path but `path` (above), no rename, no prompt
            case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep()
                  | kinds.DiagnosticsStep() | kinds.TestRunStep() | kinds.CommandStep() | kinds.CursorStep()
                  | kinds.NoteStep() | kinds.TaskStep() | kinds.OfferStep()):
                pass
            case kinds.FileChangeStep():  # no rename (only a renaming change names one)
                pass
            case _:
                assert_never(step)
    return Survey(paths, renames, RedactionSummary.from_steps(redactions), prompts)


def trim_episode(src: Path, dst: Path, plan: TrimPlan) -> TrimResult:
    """Write `src` trimmed by `plan` to `dst` (atomically); ReviewError when it cannot be."""
    episode = open_episode(src)
    if episode.consent is not None:
        raise ReviewError(f"{src} is signed; a signed episode cannot be trimmed (its signature covers it)")
    found = survey(episode)
    if episode.skipped:
        raise ReviewError(f"{src} holds steps of kinds this codetape cannot show; upgrade codetape to "
                          "review it")
    summary = _seed(src, found.placeholders)
    seed = dict(summary.counts)
    excluded = Exclusions(plan.excludes)
    result = TrimResult(dst, plan, 0, ExcludeReport(), [], summary)
    result.unmatched_globs = [glob for glob in plan.excludes
                              if not any(Exclusions((glob,))(path) for path in found.paths)]
    masked_paths = excluded_paths(found.paths, found.renames, excluded)
    encoding = episode.header.position_encoding
    header = published_header(episode.header)
    try:
        lines = excluded_lines(episode.steps(), encoding, masked_paths) if masked_paths else {}
        names = name_regex(masked_paths, found.paths - masked_paths)
        masks = FreeText.of(lines, found.prompts if plan.prompts else (), names, masked_paths)
        folders = excluded_folders(masked_paths, excluded)
        redactor = review_redactor(plan.patterns, masked_paths, folders, summary, plan.names)
        written: Counter[str] = Counter()  # the review's placeholders written outside the steps' texts
        steps: Iterator[Step] = episode.steps()
        if plan.limits is not None:  # first: what the policy forbids is neither masked nor counted
            result.beyond = Beyond(plan.limits)
            header = plan.limits.header(header)
            steps = plan.limits.apply(steps, result.beyond)
        if plan.prompts:
            steps = leave_out_prompts(steps, result.prompts)
        if plan.excludes:
            steps = exclude_files(steps, excluded, result.excluded)
        if masks:
            steps = mask_contents(steps, masks, summary)
        if redactor is not None:
            header = mask_header(header, redactor, written)
            result.renamed = path_names(found.paths - masked_paths, redactor)
            steps = mask_names(steps, result.renamed, redactor, written)
            steps = mask_spans(steps, encoding, redactor, summary, written)
        if plan.drops:
            steps = drop_ranges(steps, encoding, plan.ranges(), result.dropped)
        result.steps = write_episode_file(dst, header, steps, states=keyframe_states(encoding))
        if redactor is not None:
            secrets = redactor.registry.secrets
            summary.reasons.update(span_reasons(secrets, plan.patterns, masked_paths, folders))
    except ReconstructionError as exc:
        raise ReviewError(f"{src} does not replay, so it cannot be trimmed: {exc}") from None
    _check(dst)
    if plan.excludes or plan.drops or plan.prompts or plan.limits:
        result.steps -= _unsaid_redactions(dst)
    result.new_counts = {rule: count - seed.get(rule, 0) for rule, count in summary.counts.items()
                         if count > seed.get(rule, 0)}
    if result.new_counts:
        own = sum(rule in result.new_counts for rule in (PATH_RULE, CONTENT_RULE, NAME_RULE, PROMPT_RULE))
        summary.rules_version = _version(summary.rules_version, plan, own)
    return result


def _unsaid_redactions(dst: Path) -> int:
    """Drop the `redaction` steps of `dst` whose placeholder nothing left in it holds (its values were in
    what the review excluded or dropped: the step would tell a receiver what that held); how many."""
    episode = open_episode(dst)
    header = episode.header.workspace
    shown = Counter(placeholder for text in (header.root_name, header.git_remote or "")
                    for placeholder in placeholders_in(text))
    listed: set[str] = set()
    for step in episode.steps():
        if type(step) is kinds.RedactionStep:
            listed.add(step.placeholder)
            continue
        for text in written_texts(step):
            shown.update(placeholders_in(text))
    unsaid = {placeholder for placeholder in listed if not shown[placeholder]}
    if not unsaid:
        return 0
    kept = (step for step in open_episode(dst).steps()
            if not (type(step) is kinds.RedactionStep and step.placeholder in unsaid))
    staged = dst.with_name(f"{dst.name}.redactions")
    write_episode_file(staged, episode.header, kept, states=keyframe_states(episode.header.position_encoding))
    os.replace(staged, dst)
    return len(unsaid)


def _seed(src: Path, placeholders: RedactionSummary) -> RedactionSummary:
    """The episode's redaction summary (written when it was sealed), its counts at least what its
    placeholders show, so the review's placeholders never reuse a number."""
    summary = read_summary(src) or RedactionSummary(placeholders.rules_version)
    for rule, count in placeholders.counts.items():
        summary.counts[rule] = max(summary.counts.get(rule, 0), count)
    return summary


def _version(base: str, plan: TrimPlan, own: int) -> str:
    """The rules version with the review's rules marked (`2026.11.1+review2`): the reviewer's patterns
    and `own` rules of the review's (excluded paths, excluded contents)."""
    mark = f"{REVIEW_MARK}{len(plan.patterns) + own}"
    return (base or "unknown")[: MAX_VERSION - len(mark)] + mark


def _check(dst: Path) -> None:
    """Replay the new file in full; remove it and say why when it does not hold."""
    from collector.verify.integrity import verify_replay  # the same check `codetape verify` runs

    try:
        verify_replay(open_episode(dst))
    except CodetapeError as exc:
        dst.unlink(missing_ok=True)
        raise ReviewError(f"the trimmed episode does not replay ({exc}); nothing was changed, please "
                          "report this") from None
