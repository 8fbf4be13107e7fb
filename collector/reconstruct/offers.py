"""What became of each suggestion offered (`offer` steps): its place followed through the edits after it
in a replay, its settled text and outcome, and whether the developer's own text replaced an AI's (a
preference). The dataset's `offers` and `preferences` tables (collector/dataset/rows/offers.py) and zeta2's
`rejected_patch` (collector/export/edits/zeta2.py) read it, each in its own one replay pass.

Each offer is followed through the edits after it as a span of its file's text, its *place*: the text
the offered item would replace in the text the step sees. That is its `range` (the caret, empty, before
the change that decided it; the taken item's text when an editor reported it `applied`), and for a
completion list offered at a caret, also what is typed of the item before it (`os.pa` offered `path`:
the `pa`; the longest end of the line before the caret that the item starts with, `typed`): a
completion item replaces the word it completes. Every change that touches the place while it grows, or
overlaps it later, joins it: the place then spans what the change inserted, and the text it replaced
around the place is kept with it (`lead` in front, `trail` behind: a whole line retyped over a caret
after its indentation takes in the indentation). The place stops growing at the first change to the
file that does not touch it (a line break typed at its end, once it holds text, does not), or a save of
the file; a change in front of it moves it, one behind it does nothing. Its text at the horizon,
HORIZON_MS after the offer (the horizon of `survived_5min`, collector/reconstruct/horizons.py: the text
once every step up to that time is applied, none after it), is the offer's `settled` text, read with the
file's text around it then; or its text when the episode ends, or when the file's text is replaced as a
whole (an open, a close, a change on disk, a gap), if that comes first; null when it cannot be told. What
the developer does to it after the horizon is not counted: every reader of `settled` (the `offers` and
`preferences` tables, kto, dpo, zeta2's `rejected_patch`) reads it at the time `survived_5min` is read.

A place is found by the line(s) it occupies: a change that empties it but leaves its line standing (Vim's
`S`, `cc`, `0D`: the line's text deleted, not its line break) leaves it *emptied*, and text then typed
at it joins it and it grows again, so a line retyped whole settles as the new line. A change that takes
a line break with it (`dd`) leaves its line gone: text typed later where it stood is not its.

`outcome`, from the step's `decision` and the settled text (each compared after the `lead` it took in):

- `accepted`, `partly_accepted`: the item (or its part) was taken and the settled text still starts with
  what was taken;
- `overwritten`: it was taken and the settled text no longer starts with it, or it was not taken and the
  developer wrote something else in its place;
- `retyped`: it was not taken and the developer typed its text themselves;
- `ignored`: it was not taken and the place holds what it held (nothing written in its place).

A *preference* (a `preferences` row, `pair`) is an offer by an AI (`ai`: an inline completion, a server
or item known as an AI's, schemas/steps/offer.py) judged undesirable whose settled text is not empty,
by the one rule every export reads (collector/reconstruct/offer_rule.py). Its two sides replace
the same span of the file's settled text: `chosen` is the settled text, `rejected` the item (the taken
one, else the first offered) with the `lead` and `trail` the place took in around it, `context_before`
and `context_after` the file's text around the place when it settled (CONTEXT_BEFORE and CONTEXT_AFTER
characters at most). What both sides start with of the text that stood in front of the item (the `lead`
and what was typed of it) moves into `context_before`, what both end with of the `trail` into
`context_after`. So `context_before + chosen + context_after` is the file's text as it settled (the
part of it the contexts hold), and `context_before + rejected + context_after` that text with the
offered item in the developer's text's place.

The training rows (collector/export/preferences/kto.py, dpo.py) are conditioned on what the model saw: the
buffer's text at the offer (`seen` in front of the caret, `behind` it; for an item an editor reported applied,
in front of its range and behind it), read when the offer is followed. Their prompt ends where the caret's
line starts (a tokenizer would merge a prompt ending in indentation or inside a word with what follows, and
TRL would cut it), the rest of that line moved into the completion: `kept` for what was taken and kept (kto's
desirable rows), `seen_pair` for a preference (dpo's rows, kto's undesirable ones), whose chosen side is the
developer's settled text in the suggestion's place.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass, field

from collector.reconstruct.horizons import DEFAULT, HORIZONS
from collector.reconstruct.workspace import Workspace
from collector.text.document import Document
from schemas import steps as kinds
from schemas.steps.base import Position, Range

CONTEXT_BEFORE = 2000
CONTEXT_AFTER = 1000
HORIZON_MS = HORIZONS[DEFAULT]  # an offer's place is read this long after it (module docstring)


@dataclass(slots=True)
class Place:
    step: kinds.OfferStep
    index: int
    start: int
    end: int
    before: str  # the file's text in front of the place and behind it, read when it settles
    after: str
    growing: bool = True
    settled: str | None = None
    done: bool = False
    typed: str = ""  # what was typed of a completion item before the caret it was offered at
    lead: str = ""  # the text in front of the offered span that changes joining the place replaced
    trail: str = ""  # and behind it
    seen: str = ""  # the buffer's text in front of the caret at the offer (CONTEXT_BEFORE characters at most)
    behind: str = ""  # and behind it (CONTEXT_AFTER at most): what the model saw
    emptied: bool = False  # emptied by a change that left its line standing: text typed at it joins it


@dataclass(frozen=True, slots=True)
class Pair:
    """A preference's two sides over one span of the file's settled text (module docstring)."""
    context_before: str
    chosen: str
    rejected: str
    context_after: str


@dataclass(slots=True)
class _Followed:
    """The places followed in one file by start (`starts`), each with the greatest end up to it (`reach`),
    so that a change visits only the places it moves or joins: those behind it, and those in front whose
    reach gets to it (typing goes on at the newest place, or between the older ones: a few either way)."""
    places: list[Place] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    reach: list[int] = field(default_factory=list)
    growing: list[Place] = field(default_factory=list)

    def add(self, place: Place) -> None:
        at = bisect_right(self.starts, place.start)
        self.places.insert(at, place)
        self.starts.insert(at, place.start)
        self.reach.insert(at, place.end)
        self._reach_from(at)
        self.growing.append(place)

    def changed(self, a: int, b: int, inserted: int, breaks: bool, replaced: str) -> None:
        """[a, b) replaced (`replaced`) with `inserted` characters: the places moved and grown, a growing
        place it did not join stopped (the developer went on elsewhere in the file)."""
        places, starts, reach = self.places, self.starts, self.reach
        joined = []
        at = len(places)
        while at and starts[at - 1] > b:  # behind the change: moved (move_place keeps their order)
            at -= 1
            move_place(places[at], a, b, inserted, breaks, replaced)
            starts[at] = places[at].start
        low = at
        while at and reach[at - 1] >= a:  # ends at or after its start: moved, joined or left
            at -= 1
            place = places[at]
            if move_place(place, a, b, inserted, breaks, replaced):
                joined.append(place)
            starts[at] = place.start
            low = at
        if low < len(places):
            self._reach_from(low)
        if self.growing:
            for place in self.growing:
                if place.growing and not any(place is other for other in joined):
                    place.growing = False
            self.growing = [place for place in self.growing if place.growing]
        for place in joined:  # (an emptied place typed in grows again)
            if place.growing and not any(place is other for other in self.growing):
                self.growing.append(place)

    def remove(self, place: Place) -> None:
        """Follow `place` no more (it settled)."""
        at = next(at for at, other in enumerate(self.places) if other is place)
        del self.places[at], self.starts[at], self.reach[at]
        if at < len(self.places):
            self._reach_from(at)
        self.growing = [other for other in self.growing if other is not place]

    def stop(self) -> None:
        """The file was saved: no place grows any more."""
        for place in self.growing:
            place.growing = False
        self.growing = []

    def _reach_from(self, at: int) -> None:
        places, reach = self.places, self.reach
        most = reach[at - 1] if at else -1
        for index in range(at, len(places)):
            most = max(most, places[index].end)
            reach[index] = most


class Places:
    """Every offer's place in one episode, followed step by step (`before`, called before the replay
    applies each step) until its horizon (`horizon_ms` after the offer: module docstring); `finish`
    settles those still followed and gives them all, in the steps' order."""

    def __init__(self, horizon_ms: int = HORIZON_MS) -> None:
        self._places: dict[str, _Followed] = {}  # path -> offers followed in it
        self.all: list[Place] = []
        self.horizon_ms = horizon_ms
        self._due: list[tuple[int, int, Place]] = []  # (horizon, offer step, place) of those followed

    def before(self, index: int, step: kinds.Step, workspace: Workspace) -> None:
        """See a step before the replay applies it (most steps: two checks and nothing else)."""
        if not self._places and type(step) is not kinds.OfferStep:
            return
        due = self._due
        while due and due[0][0] < step.t_ms:  # past its horizon: read as the steps before this one left it
            place = heapq.heappop(due)[2]
            if not place.done:
                self._settle_one(place, workspace)
        match step:
            case kinds.OfferStep():
                self._offered(index, step, workspace)
            case kinds.EditStep():
                places = self._places.get(step.path)
                doc = workspace.buffers.get(step.path)
                if places and doc is not None:
                    self._edited(places, step, doc)
            case kinds.SaveStep():
                if step.path in self._places:
                    self._places[step.path].stop()
            case kinds.OpenStep() | kinds.CloseStep() | kinds.FileChangeStep():
                self._settle(step.path, workspace)
            case kinds.GapStep():
                for path in list(self._places):
                    self._settle(path, workspace)
            case _:  # on purpose: the other kinds neither offer nor move an offer's text
                pass

    def _offered(self, index: int, step: kinds.OfferStep, workspace: Workspace) -> None:
        doc = workspace.buffers.get(step.path)
        if doc is None:  # (a document not open: the offer is recorded, its place cannot be followed)
            self.all.append(Place(step, index, 0, 0, "", "", growing=False, done=True))
            return
        start, end, _ = doc.extract(step.range)
        typed = ""
        if step.via == "completion" and start == end:
            caret = step.range.start
            _, _, line = doc.extract(Range(start=Position(line=caret.line, character=0), end=caret))
            typed = typed_of(line, shown(step))
        text = doc.text
        place = Place(step, index, start - len(typed), end, "", "", typed=typed,
                      seen=text[max(0, start - CONTEXT_BEFORE):start], behind=text[end:end + CONTEXT_AFTER])
        self.all.append(place)
        self._places.setdefault(step.path, _Followed()).add(place)
        heapq.heappush(self._due, (step.t_ms + self.horizon_ms, index, place))

    def _edited(self, places: _Followed, step: kinds.EditStep, doc: Document) -> None:
        changes = step.changes
        work = doc if len(changes) == 1 else doc.copy()
        for change in changes:
            a, b, replaced = work.extract(change.range)
            if work is not doc:
                work.apply(change.range, change.text)
            places.changed(a, b, len(change.text), change.text[:1] in ("\n", "\r"), replaced)

    def _settle(self, path: str, workspace: Workspace) -> None:
        followed = self._places.pop(path, None)
        places = followed.places if followed is not None else []
        doc = workspace.buffers.get(path)
        text = doc.text if doc is not None and places else None
        for place in places:
            _read(place, text)

    def _settle_one(self, place: Place, workspace: Workspace) -> None:
        """Settle `place` alone (its horizon came), the other places in its file followed on."""
        path = place.step.path
        followed = self._places[path]
        followed.remove(place)
        if not followed.places:
            del self._places[path]
        doc = workspace.buffers.get(path)
        _read(place, doc.text if doc is not None else None)

    def finish(self, workspace: Workspace | None) -> list[Place]:
        """Every offer, those whose horizon the episode did not reach read as it leaves the files."""
        for path in list(self._places):
            if workspace is not None:
                self._settle(path, workspace)
        self._due = []
        return self.all


def _read(place: Place, text: str | None) -> None:
    """Settle `place` in its file's `text` (None: not known)."""
    if text is not None:
        start, end = place.start, place.end
        place.settled = text[start:end]
        place.before = text[max(0, start - CONTEXT_BEFORE):start]
        place.after = text[end:end + CONTEXT_AFTER]
    place.done = True


def shown(step: kinds.OfferStep) -> str:
    """The item an offer is judged by: the taken one, else the first offered."""
    return step.items[step.taken if step.taken is not None else 0].text


def taken_text(step: kinds.OfferStep) -> str | None:
    """What was taken of the item (None: nothing)."""
    if step.taken is None:
        return None
    text = shown(step)
    return text[:step.taken_chars] if step.taken_chars is not None else text


def typed_of(line: str, item: str) -> str:
    """What is typed of `item` at the end of `line` (the caret's line up to it): the longest end of it that
    the item starts with (a completion item replaces the word it completes)."""
    for size in range(min(len(line), len(item)), 0, -1):
        if item.startswith(line[-size:]):
            return line[-size:]
    return ""


def outcome(place: Place) -> str | None:
    """What became of the offer at `place` (module docstring); None when its settled text is not known."""
    step = place.step
    return outcome_of(step.decision, taken_text(step), shown(step), place.settled, place.lead,
                      place.typed + place.trail)


def by_ai(step: kinds.OfferStep) -> bool:
    """Whether an AI offered the item an offer is judged by (`shown`): the offer or the item says so."""
    return bool(step.ai or step.items[step.taken if step.taken is not None else 0].ai)


def line_start(text: str, at: int) -> int:
    """Where the line holding `at` starts in `text` (0 when `text` holds no line break in front of it)."""
    return max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1


def kept(place: Place) -> tuple[str, str]:
    """What the model saw and gave of an offer taken and kept (outcome `accepted` or `partly_accepted`),
    as (prompt, completion): the prompt is the buffer's text in front of the caret's line at the offer, the
    completion the rest of that line up to the caret (its indentation, or what was typed of the item) and
    what was taken after what was typed of it. So prompt + completion is the buffer's text in front of the
    caret at the offer (CONTEXT_BEFORE characters of it) with the part taken after it."""
    seen, taken = place.seen, taken_text(place.step) or ""
    cut = line_start(seen, len(seen))
    return seen[:cut], seen[cut:] + taken[len(place.typed):]


@dataclass(frozen=True, slots=True)
class Seen:
    """A preference over the buffer's text at the offer (module docstring): `prompt` in front of the caret's
    line, `suffix` behind the caret; `chosen` and `rejected` each start with the line in front of the caret
    (what the developer's text left of it, for `chosen`)."""
    prompt: str
    chosen: str
    rejected: str
    suffix: str


def seen_pair(place: Place) -> Seen | None:
    """The preference at a settled `place` over the buffer's text at the offer: `prompt + rejected +
    suffix` is that text with the suggestion at the caret, `prompt + chosen + suffix` that text with the
    developer's text in its place. None when the developer's text also replaced text the offer's buffer
    did not hold there (text typed after the offer around the caret, or text behind the caret it did not
    keep): it has no place in that text. An item deleted with nothing left in its place (settled empty,
    or white space only) has no developer's text to place: its sides are over the caret's line at the
    offer, as `kept`'s are, whatever else the deletion took with it (its line, its function)."""
    step, seen = place.step, place.seen
    written = place.lead + place.typed
    settled = place.settled or ""
    if not settled.strip():
        cut = line_start(seen, len(seen))
        return Seen(seen[:cut], seen[cut:len(seen) - len(place.typed)],
                    seen[cut:] + shown(step)[len(place.typed):], place.behind)
    if not seen.endswith(written):
        return None
    if place.trail:
        if not (place.behind.startswith(place.trail) and settled.endswith(place.trail)):
            return None
        settled = settled[:len(settled) - len(place.trail)]
    base = len(seen) - len(written)
    cut = line_start(seen, base)
    return Seen(seen[:cut], seen[cut:base] + settled, seen[cut:] + shown(step)[len(place.typed):],
                place.behind)


def pair(place: Place) -> Pair:
    """The preference at a settled `place` (module docstring): both sides over the same span, what they
    share of the text that stood around the item moved into the contexts."""
    chosen, rejected = place.settled or "", place.lead + shown(place.step) + place.trail
    most = min(len(chosen), len(rejected))
    head = _shared(chosen, rejected, min(most, len(place.lead) + len(place.typed)))
    tail = _shared(chosen[::-1], rejected[::-1], min(most - head, len(place.trail)))
    before = (place.before + chosen[:head])[-CONTEXT_BEFORE:] if head else place.before
    after = (chosen[len(chosen) - tail:] + place.after)[:CONTEXT_AFTER] if tail else place.after
    return Pair(before, chosen[head:len(chosen) - tail], rejected[head:len(rejected) - tail], after)


def _shared(a: str, b: str, most: int) -> int:
    """How many characters `a` and `b` start with alike, at most `most`."""
    size = 0
    while size < most and a[size] == b[size]:
        size += 1
    return size


def move_place(place: Place, a: int, b: int, inserted: int, breaks: bool, replaced: str = "") -> bool:
    """Move or grow `place` for a change that replaced [a, b) (`replaced`, its text) with `inserted`
    characters (`breaks`: they start with a line break); whether the change joined it."""
    if place.done:
        return False
    delta = inserted - (b - a)
    start, end = place.start, place.end
    if place.emptied and a == b == start == end and inserted and not breaks:  # its line retyped
        place.emptied, place.growing = False, True
        place.end = end + inserted
        return True
    if b < start or (b == start and not place.growing):  # in front of it
        place.start, place.end = start + delta, end + delta
        return False
    if a > end or (a == end and (not place.growing or (breaks and end > start))):
        return False  # behind it (a line begun after it: the developer went on to the next one)
    if a < start:  # it joins the place, the text it replaced around it kept with it
        place.lead = replaced[:start - a] + place.lead
    if b > end:
        place.trail += replaced[end - a:]
    place.start, place.end = min(start, a), max(end, b) + delta
    place.emptied = place.start == place.end and "\n" not in replaced and "\r" not in replaced
    return True


def outcome_of(decision: str, taken: str | None, shown: str, settled: str | None, lead: str = "",
               held: str = "") -> str | None:
    """What became of an offer (module docstring); None when its settled text is not known. `lead`: the
    text the place took in in front of the item; `held`: what else the place held, untouched, had nothing
    been written in it."""
    if settled is None:
        return None
    if decision != "not_taken":
        if taken is not None and settled.startswith(lead + taken):
            return decision
        return "overwritten"
    if settled == lead + held:
        return "ignored"
    return "retyped" if settled.startswith(lead + shown) else "overwritten"
