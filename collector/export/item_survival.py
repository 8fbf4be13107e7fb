"""What stayed of each AI suggestion taken (kto's persistence columns, collector/export/kto.py), from the
survival trace the dataset's `edits` labels come from (collector/reconstruct/survival.py, through
traced.py): every character the item inserted followed by the change that inserted it, never matched by
its text.

The item's characters are those of the change that applied it: the next edit of its file after the
`offer` step (a recorder that saw the item applied by the change that follows, the bridge's), or, for an
item an editor reported `applied` (already in the buffer at its offer, as the Neovim plugin reports it),
the characters in the offer's range then. Per offer taken (`Survival`): the share of them in the files at
the episode's end and at the next commit listing the file (the end when none came), and how long after
the offer none was left, if that happened; the horizons read off it (some of it still there 30 s and 5
minutes after the offer: collector/reconstruct/horizons.py), so that a lab picks its own horizon from
`reverted_within_ms`.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.reconstruct.horizons import absent, persisted
from collector.reconstruct.traced import Traced
from collector.reconstruct.workspace import Workspace
from collector.text.document import Document
from schemas import steps as kinds

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
