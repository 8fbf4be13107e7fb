"""What the preference exports share: the rows of AI suggestions (dpo.py, kto.py), and what stayed of each
suggestion taken (kto's persistence columns); docs/exports.md says what the columns hold.

`OfferRows`: the episode's offers followed to their horizon (collector/reconstruct/offers.py `Places`),
then one JSON line per offer that makes a row, each ending with the same columns: `name`
(`<episode id>:<offer step>`), `path`, `via`, `outcome` and `split`.

`ItemSurvival`: every character a taken item inserted followed by the change that inserted it, never
matched by its text, in the survival trace the dataset's `edits` labels come from
(collector/reconstruct/survival.py, through traced.py). The item's characters are those of the change
that applied it: the next edit of its file after the `offer` step (a recorder that saw the item applied
by the change that follows, the bridge's), or, for an item an editor reported `applied` (already in the
buffer at its offer, as the Neovim plugin reports it), the characters in the offer's range then. Per
offer taken (`Survival`): the share of them in the files at the episode's end and at the next commit
listing the file (the end when none came), how long after the offer none was left, if that happened,
and the horizons read off it (collector/reconstruct/horizons.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from typing import Any

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Writes
from collector.reconstruct.horizons import absent, persisted
from collector.reconstruct.offers import Place, Places, outcome
from collector.reconstruct.traced import Traced
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from collector.text.document import Document
from schemas import steps as kinds
from schemas.contract import Field, fields
from schemas.steps import Step


def prompt_space(prompt: str) -> str:
    """The whitespace `prompt` ends with (its last line break): the prompt without it, and it before the
    completion, stay whole under a GPT-2-style byte-level pre-tokenizer, which joins a line break to the
    indentation after it (docs/exports.md)."""
    return prompt[len(prompt.rstrip()):]


def holds_placeholder(*texts: str) -> bool:
    """Whether a text of a row holds a redaction placeholder (a model would learn to write one)."""
    return any(PLACEHOLDER_RE.search(text) for text in texts)


class OfferRows(ABC):
    """A follower of the episode's offers (per_episode.py), writing `row` of each at the end."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str) -> None:
        self.out, self.skipped, self.split = out, skipped, split
        self.episode_id = str(episode.header.episode_id)
        self.places = Places()

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.places.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:  # noqa: B027 (none need it but kto)
        """Offers are followed before each step alone."""

    def finish(self, workspace: Workspace) -> int:
        written = 0
        for place in self.places.finish(workspace):
            row = self.row(place)
            if isinstance(row, str):
                self.skipped[row] += 1
            elif row is not None:
                step = place.step
                self.out.write(
                    json_line(
                        {
                            **row,
                            "name": f"{self.episode_id}:{place.index}",
                            "path": step.path,
                            "via": step.via,
                            "outcome": outcome(place) or "",
                            "split": self.split,
                        }
                    )
                )
                written += 1
        return written

    @abstractmethod
    def row(self, place: Place) -> dict[str, Any] | str | None:
        """The columns of the offer at `place` but the shared ones; None when it makes no row, or why it
        is left out (counted)."""


# What stayed of each item taken
# the columns every offer row ends with (OfferRows), and what stayed of a suggestion taken (Survival)
OFFER_FIELDS: tuple[Field, ...] = (
    *fields(("build",),
            ("name", "string", "`<episode id>:<offer step>`: the row's id")),
    *fields(("edits",),
            ("path", "string", "the workspace-relative path of the document offered in"),
            ("via", "string", "completion (a menu) or inline (ghost text)")),
    *fields(("edits",),
            ("outcome", "string", "accepted, partly_accepted or overwritten (as the offers table's outcome)",
             "from_times")),
    *fields(("build",),
            ("split", "string", "train or eval: the episode's side of the split (by repository)")),
)
_NOT = "; -1 when not taken or not followed"
SURVIVAL_FIELDS: tuple[Field, ...] = (
    *fields(("edits",),
            ("survived_30s", "bool", "some of the taken item's characters stood 30 s after the offer",
             "from_times"),
            ("survived_5min", "bool", "some stood 5 minutes after it (the label's horizon)", "from_times")),
    *fields(("edits", "git"),
            ("survived_to_commit", "float", "the share of them on disk at the next commit listing the file"
             + _NOT)),
    *fields(("edits",),
            ("survived_to_end", "float", "the share of them in the file at the episode's end" + _NOT),
            ("reverted_within_ms", "int", "milliseconds from the offer until none was left; -1 while some "
             "is, or not taken", "from_times")),
)
_PROMPT = ("the buffer's text in front of the offer when it was made (what the model saw), at most 2,000 "
           "characters")
PROMPT_FIELDS: tuple[Field, ...] = fields(
    ("edits",),
    ("prompt", "string", _PROMPT, "file_text"),
)
PROMPT_SPACE: tuple[Field, ...] = fields(
    ("edits",),
    ("prompt_space", "string", "the whitespace the prompt ends with (its last line break), to keep it whole "
     "under a byte-level pre-tokenizer"),
)
SETTLED: tuple[Field, ...] = fields(
    ("edits",),
    ("settled", "string", "the text at the offer's place 5 minutes after it (or at the episode's end): what "
     "the label is read from", "file_text"),
)


# the origins of an edit that may apply an item an editor then reports `applied` (its offer comes after it)
STARTS = ("completion", "ai_completion")
NOT_TAKEN = -1  # a number that does not apply (JSON lines keep one type a column: no null)


@dataclass(frozen=True, slots=True)
class Survival:
    survived_to_end: float  # the share of its characters in the files at the episode's end
    survived_to_commit: float  # at the next commit listing its file, else at the end
    reverted_within_ms: int  # from the offer until none was left; NOT_TAKEN while some is

    def columns(self) -> dict[str, float | int | bool]:
        gone = self.reverted_within_ms
        return {**persisted(None if gone == NOT_TAKEN else gone),
                "survived_to_commit": self.survived_to_commit, "survived_to_end": self.survived_to_end,
                "reverted_within_ms": gone}


ABSENT = Survival(float(NOT_TAKEN), float(NOT_TAKEN), NOT_TAKEN)  # not taken, or its characters not known


def absent_columns() -> dict[str, float | int | bool]:
    return {**absent(), "survived_to_commit": ABSENT.survived_to_commit,
            "survived_to_end": ABSENT.survived_to_end, "reverted_within_ms": ABSENT.reverted_within_ms}


class ItemSurvival:
    """Follow the characters of every taken offer of one episode (`before` and `after` each step, as the
    replay applies it), then `survival(index)` of the offer step `index`."""

    def __init__(self) -> None:
        self.traced = Traced()  # started at the episode's first offer, or edit that may apply one (STARTS)
        self.ids: dict[int, list[int]] = {}  # offer step -> the ids of the characters its item inserted
        self.t_ms: dict[int, int] = {}
        self._waiting: dict[str, int] = {}  # path -> a taken offer whose item the next edit applies
        self._applying: tuple[int, int] | None = None  # (offer, first id) of the edit being applied

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        if self.traced.trace is None and (type(step) is kinds.OfferStep or (
                type(step) is kinds.EditStep and step.origin in STARTS)):
            self.traced.start()  # (nothing before is any item's: an episode with no offer traces nothing)
        if type(step) is kinds.EditStep and step.path in self._waiting:
            self._applying = (self._waiting.pop(step.path), self.traced.made)
        self.traced.before(index, step, workspace)
        if type(step) is kinds.OfferStep and step.taken is not None:
            self.t_ms[index] = step.t_ms
            doc = workspace.buffers.get(step.path)
            if step.applied:
                self.ids[index] = self._shown(step, doc)
            else:
                self._waiting[step.path] = index

    def after(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        self.traced.after(index, step, workspace)
        if self._applying is not None:
            offer, first = self._applying
            self.ids[offer] = list(range(first, self.traced.made))
            self._applying = None

    def _shown(self, step: kinds.OfferStep, doc: Document | None) -> list[int]:
        trace = self.traced.trace
        ids = trace.buffers.get(step.path) if trace is not None and doc is not None else None
        if ids is None or doc is None:
            return []
        start, end, _ = doc.extract(step.range)
        return sorted({made for made in ids[start:end] if made})

    def survival(self, index: int) -> Survival:
        trace, ids = self.traced.trace, self.ids.get(index)
        if trace is None or not ids:
            return ABSENT
        labels = trace.labels(ids, [trace.inserted[made] for made in ids])
        if labels.survived_to_end is None:
            return ABSENT
        gone = trace.gone
        went = [gone[made][1] for made in ids if made in gone and trace.inserted[made]]
        reverted = max(went) - self.t_ms[index] if labels.reverted_at_step is not None and went else NOT_TAKEN
        to_commit = labels.survived_to_commit
        return Survival(labels.survived_to_end, labels.survived_to_end if to_commit is None else to_commit,
                        max(reverted, 0) if reverted != NOT_TAKEN else NOT_TAKEN)
