"""Edit steps validated straight from a chunk's columns: `Edit`, the values an `EditStep` holds, without
the five pydantic objects each edit would be (step, change, range, two positions).

Edits are most of an episode's steps, and a reader that goes through them once (the dataset build) spends
more time building and validating those objects than doing anything with them. `ColumnEdits` checks an
edit's values where the chunk decoder makes them: an edit whose values the schema would take unchanged
(exact ints within the schema's bounds, a source and a path the schema accepts, texts within its cap)
becomes an `Edit`; any other becomes the plain dict, which the caller validates with the model as
`Episode.steps()` does, so both refuse the same steps with the same error
(tests/unit/test_episode_records.py compares them). The bounds are read from the models, not copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

import pydantic
from pydantic import TypeAdapter

from collector.episode.chunk import MAX_STEP_CHANGES, edit_dict
from collector.text.document import Span
from schemas.common import Position, RelPath, Source, StepBase
from schemas.steps import ContentChange, EditStep, Step

if TYPE_CHECKING:
    from collector.episode.plain_steps import PlainDiagnostics


def field_bound(model: type[pydantic.BaseModel], name: str, which: str) -> Any:
    """The value of a model field's constraint (`which`: "ge", "le", "max_length")."""
    for constraint in model.model_fields[name].metadata:
        if hasattr(constraint, which):
            return getattr(constraint, which)
    raise AssertionError(f"{model.__name__}.{name} has no {which} constraint")


MAX_POSITION: int = field_bound(Position, "line", "le")
MAX_T_MS: int = field_bound(StepBase, "t_ms", "le")
MAX_TEXT: int = field_bound(ContentChange, "text", "max_length")
# what _plain and Edit assume
assert field_bound(Position, "line", "ge") == field_bound(StepBase, "t_ms", "ge") == 0
assert Position.model_fields["character"].metadata == Position.model_fields["line"].metadata
# the chunk decoder refuses an edit of no change or too many, as the model would
assert field_bound(EditStep, "changes", "min_length") == 1
assert field_bound(EditStep, "changes", "max_length") == MAX_STEP_CHANGES
_SOURCE: TypeAdapter[str] = TypeAdapter(Source)
_PATH: TypeAdapter[str] = TypeAdapter(RelPath)


class Edit:
    """An edit step's values: `changes` as (span or None, text), a span being four ints."""

    __slots__ = ("changes", "path", "source", "t_ms", "version")
    kind: ClassVar[str] = "edit"

    def __init__(self, t_ms: int, source: str, path: str, version: int | None,
                 changes: list[tuple[Span | None, str]]) -> None:
        self.t_ms, self.source, self.path, self.version, self.changes = t_ms, source, path, version, changes

    @classmethod
    def from_step(cls, step: EditStep) -> Edit:
        changes: list[tuple[Span | None, str]] = []
        for change in step.changes:
            span = change.range
            changes.append((None if span is None else
                            (span.start.line, span.start.character, span.end.line, span.end.character),
                            change.text))
        return cls(step.t_ms, step.source, step.path, step.version, changes)

    def to_dict(self) -> dict[str, Any]:
        """The plain form, as `schemas.step_to_dict` gives it for the same EditStep."""
        return edit_dict(self.t_ms, self.source, self.path, self.version, self.changes)


# what a reader of Edits sees: an Edit for every edit step, PlainDiagnostics for most diagnostics steps
# (collector/episode/plain_steps.py), the model for the others
Record: TypeAlias = "Step | Edit | PlainDiagnostics"


class EditRun:
    """Consecutive edit steps to one file, each one change inserting text without a line break where the
    one before ended (a run of typed characters), as a chunk's columns give them: the values of the Edits
    they are (`edits()`), column by column. Edit k inserts `texts[k]` at (`line`, `chars[k]`)."""

    __slots__ = ("chars", "line", "path", "sources", "texts", "times", "versions")
    kind: ClassVar[str] = "edit"

    def __init__(self, times: list[int], sources: list[str], path: str, versions: list[int | None], line: int,
                 chars: list[int], texts: list[str]) -> None:
        self.times, self.sources, self.path, self.versions = times, sources, path, versions
        self.line, self.chars, self.texts = line, chars, texts

    def __len__(self) -> int:
        return len(self.times)

    @property
    def t_ms(self) -> int:
        return self.times[0]

    def edits(self) -> list[Edit]:
        line, path = self.line, self.path
        values = zip(self.times, self.sources, self.versions, self.chars, self.texts, strict=True)
        return [Edit(t_ms, source, path, version, [((line, char, line, char), text)])
                for t_ms, source, version, char, text in values]

    def cut(self, count: int) -> tuple[EditRun, EditRun]:
        """Its first `count` edits, and the others."""
        head = EditRun(self.times[:count], self.sources[:count], self.path, self.versions[:count], self.line,
                       self.chars[:count], self.texts[:count])
        tail = EditRun(self.times[count:], self.sources[count:], self.path, self.versions[count:], self.line,
                       self.chars[count:], self.texts[count:])
        return head, tail

    @classmethod
    def of(cls, edits: list[Edit]) -> EditRun:
        """The run that `edits` (each one change inserting where the one before ended) are."""
        spans = [edit.changes[0][0] for edit in edits]
        chars = [span[1] for span in spans if span is not None]
        assert spans[0] is not None and len(chars) == len(edits)
        texts = [edit.changes[0][1] for edit in edits]
        return cls([edit.t_ms for edit in edits], [edit.source for edit in edits], edits[0].path,
                   [edit.version for edit in edits], spans[0][0], chars, texts)


class ColumnEdits:
    """The chunk decoder's edit maker (chunk.iter_chunk_with) for one chunk: an Edit when every value is
    what the schema holds unchanged, else the plain dict for the model to judge. A chunk names its sources
    and paths once each, so each is checked once per chunk."""

    def __init__(self, limit: int = 4096) -> None:
        self._sources: dict[str, bool] = {}
        self._paths: dict[str, bool] = {}
        self._limit = limit  # answers kept per kind: a long-lived maker (the collector's) stays bounded

    def __call__(self, t_ms: Any, source: Any, path: Any, version: Any,
                 changes: list[tuple[Any, str]]) -> Edit | dict[str, Any]:
        if type(t_ms) is int and 0 <= t_ms <= MAX_T_MS and (version is None or type(version) is int) \
                and type(source) is str and type(path) is str and _plain(changes) and self.fit(source, path):
            return Edit(t_ms, source, path, version, changes)
        return edit_dict(t_ms, source, path, version, changes)

    def fit(self, source: str, path: str) -> bool:
        """Whether the schema takes `source` as a step's source and `path` as its path, as they are."""
        source_ok = self._sources.get(source)
        if source_ok is None:
            source_ok = _remember(self._sources, source, _fits(_SOURCE, source), self._limit)
        path_ok = self._paths.get(path)
        if path_ok is None:
            path_ok = _remember(self._paths, path, _fits(_PATH, path), self._limit)
        return source_ok and path_ok

    def run(self, times: list[int], sources: list[Any], path: Any, versions: list[int | None], line: int,
            chars: list[int], texts: list[str]) -> EditRun | None:
        """A run of typed characters (chunk_runs.py) as an EditRun when each of its edits would be an Edit
        (its step `k`: `times[k]`, `sources[k]`, `path`, `versions[k]`, `texts[k]` inserted at (`line`,
        `chars[k]`)), else None (the decoder then makes them one at a time). The decoder gives ints for the
        times, versions and positions, texts and times in ascending order, the positions too."""
        if not (times[0] >= 0 and times[-1] <= MAX_T_MS and 0 <= line <= MAX_POSITION and chars[0] >= 0
                and chars[-1] <= MAX_POSITION and max(map(len, texts)) <= MAX_TEXT and type(path) is str):
            return None
        for source in (sources[0],) if sources.count(sources[0]) == len(sources) else set(sources):
            if type(source) is not str or not self.fit(source, path):
                return None
        return EditRun(times, sources, path, versions, line, chars, texts)

_WIRE_KEYS = frozenset(("kind", "t_ms", "source", "path", "version", "changes"))
_CHANGE_KEYS = frozenset(("range", "text"))
_RANGE_KEYS = frozenset(("start", "end"))
_POSITION_KEYS = frozenset(("line", "character"))


def wire_edit(step: dict[str, Any], edits: ColumnEdits) -> Edit | None:
    """An edit step's plain dict (LSP's nested ranges, as a client sends it) as an Edit, when the schema
    would take every value as it is; None for anything else, which the caller validates with the model.
    Only plain dicts, lists, ints and strs pass: whatever the model would coerce or refuse is its to judge."""
    if step.get("kind") != "edit" or not step.keys() <= _WIRE_KEYS:
        return None
    wire = step.get("changes")
    if type(wire) is not list or not 0 < len(wire) <= MAX_STEP_CHANGES:
        return None
    changes: list[tuple[Any, str]] = []
    for change in wire:
        if type(change) is not dict or not change.keys() <= _CHANGE_KEYS:
            return None
        text, span = change.get("text"), change.get("range")
        if type(text) is not str:
            return None
        if span is not None:
            if type(span) is not dict or span.keys() != _RANGE_KEYS:
                return None
            start, end = span["start"], span["end"]
            if type(start) is not dict or type(end) is not dict or start.keys() != _POSITION_KEYS \
                    or end.keys() != _POSITION_KEYS:
                return None
            span = (start["line"], start["character"], end["line"], end["character"])
        changes.append((span, text))
    made = edits(step.get("t_ms"), step.get("source"), step.get("path"), step.get("version"), changes)
    return made if isinstance(made, Edit) else None


def _remember(answers: dict[str, bool], value: str, answer: bool, limit: int) -> bool:
    if len(answers) >= limit:
        answers.clear()
    answers[value] = answer
    return answer


def _fits(adapter: TypeAdapter[str], value: str) -> bool:
    """Whether the schema's type takes `value` as it is."""
    try:
        return adapter.validate_python(value) == value
    except pydantic.ValidationError:
        return False


def _plain(changes: list[tuple[Any, str]]) -> bool:
    """Every change's span four ints within the schema's bounds (or none), its text within the cap."""
    top = MAX_POSITION
    if len(changes) == 1:  # most edits (typing): the loop below, unrolled
        span, text = changes[0]
        if span is None:
            return len(text) <= MAX_TEXT
        sl, sc, el, ec = span
        return (len(text) <= MAX_TEXT and type(sl) is int and type(sc) is int and type(el) is int
                and type(ec) is int and 0 <= sl <= top and 0 <= sc <= top and 0 <= el <= top
                and 0 <= ec <= top)
    for span, text in changes:
        if len(text) > MAX_TEXT:
            return False
        if span is not None:
            sl, sc, el, ec = span
            if not (type(sl) is int and type(sc) is int and type(el) is int and type(ec) is int
                    and 0 <= sl <= top and 0 <= sc <= top and 0 <= el <= top and 0 <= ec <= top):
                return False
    return True
