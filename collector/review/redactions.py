"""The redactions still in an episode, as the review lists them: what sensitive things are still in here.

Counted from the placeholders the episode's steps and header still hold (not from its `redaction` steps,
which a trim keeps with the counts of the whole recording), so a value whose every occurrence went with
an excluded file or a dropped range is not listed. A secret caught at several lengths (typed, or cut
short) is one entry, the placeholders of its shorter values its stages (`RedactionSummary.stages`).
Each entry says who masked it: the redaction rules when the episode was sealed, the reviewer's own
patterns (`r`), an excluded file (its path, its bare name, one of its lines: which file, and where that
text was masked), or an agent prompt left out. `Placeholders` collects them as the steps go by (the
review's summary makes one pass); `redactions_in` is the same over a whole episode.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, assert_never

from collector.episode import Episode
from collector.redact import PLACEHOLDER_RE, RedactionSummary
from collector.redact.stream.buffer import placeholders_in
from collector.redact.stream.pipeline import texts
from collector.replay.describe import describe, step_path
from collector.text.oneline import one_line
from schemas import EpisodeHeader, Step
from schemas import steps as kinds

SEALED = "before review"  # the redaction rules, when the episode was sealed
REVIEW = "this review"  # the reviewer's patterns (`r`, `--redact`)
EXCLUDED = "excluded file"  # a file the review excluded: its path, its name, its lines, where else written
PROMPT = "left-out prompt"  # an agent prompt the review leaves out, where else it is written
KINDS = (SEALED, REVIEW, EXCLUDED, PROMPT)
_KIND_OF_RULE = {"excluded-content": EXCLUDED, "excluded-name": EXCLUDED, "excluded-path": EXCLUDED,
                 "left-out-prompt": PROMPT}
_REASONS = {SEALED: "rule {rule} found it when the episode was sealed",
            REVIEW: "it matches a pattern of this review", EXCLUDED: "it appears in an excluded file",
            PROMPT: "it is an agent prompt left out"}
PLACE_TEXT = 80  # characters of a step's description in a place


@dataclass(frozen=True)
class Place:
    """Where a placeholder is written: the step's time and the step in a few words."""

    t_ms: int
    what: str  # `command "twine upload dist/*"`, `edit calc.py`

    def to_json(self) -> dict[str, Any]:
        return {"t_ms": self.t_ms, "what": self.what}


@dataclass(frozen=True)
class Redaction:
    """One masked value still in the episode (a typed secret: with the placeholders of its stages)."""

    placeholder: str
    rule: str
    count: int  # times its placeholders (its stages' too) are written in what is still there
    masked: str | None  # a preview of the value (`ghp_…gU4`), when the sealing summary or the review has one
    kind: str = SEALED  # one of KINDS
    reason: str = ""  # why it is masked, a clause: "it appears in excluded my-notes.md"
    stages: tuple[str, ...] = ()  # placeholders of the shorter values it was found at (typed, cut short)
    places: tuple[Place, ...] = ()  # where it is written, one place per step description, first first

    def to_json(self) -> dict[str, Any]:
        return {"placeholder": self.placeholder, "rule": self.rule, "count": self.count,
                "masked": self.masked, "kind": self.kind, "reason": self.reason, "stages": list(self.stages),
                "places": [place.to_json() for place in self.places]}


@dataclass
class Placeholders:
    """The placeholders written in an episode, collected step by step: how often, and where."""

    counts: Counter[str] = field(default_factory=Counter)
    places: dict[str, dict[str, int]] = field(default_factory=dict)  # placeholder -> what -> first t_ms

    def header(self, header: EpisodeHeader) -> None:
        """The placeholders in what the header says of the workspace and the editors (mask_header's)."""
        workspace = header.workspace
        for text in (workspace.root_name, workspace.git_remote):
            self._found(text or "", 0, "header: the workspace")
        editors = [*([header.client] if header.client is not None else []), *(header.editors or [])]
        for text in {text for editor in editors for text in (editor.name, editor.version) if text}:
            self._found(text, 0, "header: the editor")  # the client is one of the editors too: once

    def add(self, step: Step) -> None:
        what: str | None = None
        for text in written_texts(step):
            if "«" not in text:
                continue
            if what is None:
                what = one_line(f"{step.kind} {step_path(step) or describe(step)}", PLACE_TEXT)
            self._found(text, step.t_ms, what)

    def _found(self, text: str, t_ms: int, what: str) -> None:
        found = placeholders_in(text)
        self.counts.update(found)
        for placeholder in found:
            self.places.setdefault(placeholder, {}).setdefault(what, t_ms)

    def redactions(self, redaction: RedactionSummary | None) -> list[Redaction]:
        """One entry per value still written (a typed secret's stages in its entry), in the order of their
        placeholders' first places."""
        summary = redaction if redaction is not None else RedactionSummary()
        previews = dict(summary.masked)
        groups: dict[str, list[str]] = {}
        for placeholder in self.counts:
            groups.setdefault(summary.stages.get(placeholder, placeholder), []).append(placeholder)
        out: list[Redaction] = []
        for whole, present in groups.items():
            shown = whole if whole in present else present[-1]  # the stage written last: typed furthest
            rule = _rule(shown)
            kind = REVIEW if _custom(rule) else _KIND_OF_RULE.get(rule, SEALED)
            places = sorted({(t_ms, what) for p in present for what, t_ms in self.places[p].items()})
            out.append(Redaction(shown, rule, sum(self.counts[p] for p in present), previews.get(shown), kind,
                                 summary.reasons.get(shown) or _REASONS[kind].format(rule=rule),
                                 tuple(sorted(p for p in present if p != shown)),
                                 tuple(Place(t_ms, what) for t_ms, what in places)))
        return sorted(out, key=lambda r: (KINDS.index(r.kind), r.places[0].t_ms if r.places else 0,
                                          r.placeholder))


def redactions_in(episode: Episode, redaction: RedactionSummary | None) -> list[Redaction]:
    """The redactions still in `episode` (as it would be signed), with the previews, stages and reasons
    `redaction` (its sealing summary, or a trim's) gives."""
    found = Placeholders()
    found.header(episode.header)
    for step in episode.steps():
        found.add(step)
    return found.redactions(redaction)


def written_texts(step: Step) -> Iterator[str]:
    """Every text of a step a placeholder can be written in: its texts, the paths it names, and the names a
    language server, the editor or a test framework gives it (the review masks those too)."""
    yield from texts(step)
    for name in ("path", "new_path"):
        value = getattr(step, name, None)
        if isinstance(value, str):
            yield value
    match step:
        case kinds.AgentStep():
            yield from step.targets
        case kinds.GitStep():
            yield from (stat.path for stat in step.files)
        case kinds.GapStep():
            yield from (state.path for state in step.state or ())
        case kinds.DiagnosticsStep():
            yield from _strings((step.origin, *(part for item in step.items for part in (item.source,
                                                                                         item.code))))
        case kinds.OpenStep():
            yield step.language_id
        case kinds.TestRunStep():
            yield step.framework
        # nothing but its free text and paths (above)
        case (kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep() | kinds.CommandStep()
              | kinds.FileChangeStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep()
              | kinds.RedactionStep() | kinds.OfferStep()):
            pass
        case _:
            assert_never(step)


def _strings(values: Iterable[object]) -> Iterator[str]:
    return (value for value in values if isinstance(value, str))


def _rule(placeholder: str) -> str:
    match = PLACEHOLDER_RE.fullmatch(placeholder)
    return match.group(1) if match else ""


def _custom(rule: str) -> bool:
    """A reviewer's pattern's rule (`custom-2`); a developer's own pattern at seal is `custom`."""
    head, _, number = rule.rpartition("-")
    return head == "custom" and number.isdigit()
