"""What became of each suggestion offered (`offer` steps): its place followed through the edits after it
in a replay, its settled text and outcome, and whether the developer's own text replaced an AI's (a
preference). The dataset's `offers` and `preferences` tables (collector/dataset/offers.py) and zeta2's
`rejected_patch` (collector/export/zeta2.py) read it, each in its own one replay pass.

Each offer is followed through the edits after it as a span of its file's text, its *place*: where the
offer stands in the text the step sees (its `range`: the caret, empty, before the change that decided
it; the taken item's text when an editor reported it `applied`). Every change that overlaps or touches
the place joins it (what it replaced and what it inserted); the place stops growing at the first change
to the file that does not touch it (a line break typed at its end, once it holds text, does not), or a
save of the file; from then on it only moves with the text before it and changes with edits inside it.
A change in front of it moves it; one behind it does nothing. Its text when the episode ends (or when
the file's text is replaced as a whole first: an open, a close, a change on disk, a gap) is the offer's
`settled` text (null when that cannot be told).

`outcome`, from the step's `decision` and the settled text:

- `accepted`, `partly_accepted`: the item (or its part) was taken and the settled text still starts with
  what was taken;
- `overwritten`: it was taken and the settled text no longer starts with it, or it was not taken and the
  developer wrote something else in its place;
- `retyped`: it was not taken and the developer typed its text themselves;
- `ignored`: it was not taken and nothing was written in its place.

A *preference* (a `preferences` row) is an offer by an AI (`ai`: an inline completion, a server or item
known as an AI's, schemas/steps/offer.py) whose settled text is not empty and does not start with the
item's whole text, though it was taken, partly taken or written over: `chosen` is the settled text,
`rejected` the item's text (the taken item, else the first offered), `context_before` and
`context_after` the file's text around the place when it was offered (CONTEXT_BEFORE and CONTEXT_AFTER
characters at most).
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.reconstruct.workspace import Workspace
from collector.text.document import Document
from schemas.steps import (
    CloseStep,
    EditStep,
    FileChangeStep,
    GapStep,
    OfferStep,
    OpenStep,
    SaveStep,
    Step,
)

CONTEXT_BEFORE = 2000
CONTEXT_AFTER = 1000


@dataclass(slots=True)
class Place:
    step: OfferStep
    index: int
    start: int
    end: int
    before: str
    after: str
    growing: bool = True
    settled: str | None = None
    done: bool = False


class Places:
    """Every offer's place in one episode, followed step by step (`before`, called before the replay
    applies each step); `finish` settles those still followed and gives them all, in the steps' order."""

    def __init__(self) -> None:
        self._places: dict[str, list[Place]] = {}  # path -> offers followed in it
        self.all: list[Place] = []

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        """See a step before the replay applies it (most steps: two checks and nothing else)."""
        if not self._places and type(step) is not OfferStep:
            return
        match step:
            case OfferStep():
                self._offered(index, step, workspace)
            case EditStep():
                places = self._places.get(step.path)
                doc = workspace.buffers.get(step.path)
                if places and doc is not None:
                    self._edited(places, step, doc)
            case SaveStep():
                for place in self._places.get(step.path, ()):
                    place.growing = False
            case OpenStep() | CloseStep() | FileChangeStep():
                self._settle(step.path, workspace)
            case GapStep():
                for path in list(self._places):
                    self._settle(path, workspace)
            case _:
                pass

    def _offered(self, index: int, step: OfferStep, workspace: Workspace) -> None:
        doc = workspace.buffers.get(step.path)
        if doc is None:  # (a document not open: the offer is recorded, its place cannot be followed)
            self.all.append(Place(step, index, 0, 0, "", "", growing=False, done=True))
            return
        start, end, _ = doc.extract(step.range)
        text = doc.text
        place = Place(step, index, start, end, text[max(0, start - CONTEXT_BEFORE):start],
                      text[end:end + CONTEXT_AFTER])
        self.all.append(place)
        self._places.setdefault(step.path, []).append(place)

    def _edited(self, places: list[Place], step: EditStep, doc: Document) -> None:
        changes = step.changes
        work = doc if len(changes) == 1 else doc.copy()
        for change in changes:
            a, b, _ = work.extract(change.range)
            if work is not doc:
                work.apply(change.range, change.text)
            breaks = change.text[:1] in ("\n", "\r")
            for place in places:
                if not move_place(place, a, b, len(change.text), breaks) and place.growing:
                    place.growing = False  # the developer went on elsewhere in the file

    def _settle(self, path: str, workspace: Workspace) -> None:
        places = self._places.pop(path, None)
        doc = workspace.buffers.get(path)
        text = doc.text if doc is not None and places else None
        for place in places or ():
            place.settled = None if text is None else text[place.start:place.end]
            place.done = True

    def finish(self, workspace: Workspace | None) -> list[Place]:
        """Every offer, each place read from the files as the episode leaves them."""
        for path in list(self._places):
            if workspace is not None:
                self._settle(path, workspace)
        return self.all


def shown(step: OfferStep) -> str:
    """The item an offer is judged by: the taken one, else the first offered."""
    return step.items[step.taken if step.taken is not None else 0].text


def taken_text(step: OfferStep) -> str | None:
    """What was taken of the item (None: nothing)."""
    if step.taken is None:
        return None
    text = shown(step)
    return text[:step.taken_chars] if step.taken_chars is not None else text


def outcome(place: Place) -> str | None:
    """What became of the offer at `place` (module docstring); None when its settled text is not known."""
    step = place.step
    return outcome_of(step.decision, taken_text(step), shown(step), place.settled)


def preferred(place: Place) -> bool:
    """Whether the offer at `place` is a preference: an AI's suggestion the developer's settled text
    replaced (module docstring)."""
    step, settled = place.step, place.settled
    ai = step.ai or step.items[step.taken if step.taken is not None else 0].ai  # (the item `shown`)
    return bool(ai and settled and outcome(place) in ("overwritten", "partly_accepted")
                and not settled.startswith(shown(step)))


def move_place(place: Place, a: int, b: int, inserted: int, breaks: bool) -> bool:
    """Move or grow `place` for a change that replaced [a, b) with `inserted` characters (`breaks`: they
    start with a line break); whether the change touched it."""
    if place.done:
        return False
    delta = inserted - (b - a)
    start, end = place.start, place.end
    if b < start or (b == start and not place.growing):  # in front of it
        place.start, place.end = start + delta, end + delta
        return False
    if a > end or (a == end and (not place.growing or (breaks and end > start))):
        return False  # behind it (a line begun after it: the developer went on to the next one)
    if place.growing:  # it joins the place
        place.start, place.end = min(start, a), max(end, b) + delta
    elif start <= a and b <= end:  # an edit inside it
        place.end = end + delta
    elif a < start and b > end:  # it replaced all of it: its text is the place now
        place.start, place.end = a, a + inserted
    elif a < start:  # it replaced the place's start: what is left of it stays
        place.start, place.end = a + inserted, end + delta
    else:  # and its end
        place.end = a
    return True


def outcome_of(decision: str, taken: str | None, shown: str, settled: str | None) -> str | None:
    """What became of an offer (module docstring); None when its settled text is not known."""
    if settled is None:
        return None
    if decision != "not_taken":
        if taken is not None and settled.startswith(taken):
            return decision
        return "overwritten"
    if not settled:
        return "ignored"
    return "retyped" if settled.startswith(shown) else "overwritten"
