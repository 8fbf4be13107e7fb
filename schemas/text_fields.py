"""Which fields of which step kind hold text: the one table the redaction, the review and unlinkable mode's
cut read (STYLE.md 24).

    FREE_TEXT   what a step says: commands and their output, test ids and summaries, commit messages and
                refs, diagnostics, notes, tasks, agent text, offered items, a gap's detail. Any function of
                a text may rewrite it (a placeholder, a pseudonym): nothing is replayed from it.
    FILE_TEXT   what a file held: an open's, save's or file change's text, an edit's inserted texts, a
                gap's file states. Rewriting one changes what the episode replays, so it is masked by span
                (collector/review/spans.py), never by `map_free_text`.

A field is named by its path from the step: `argv[]` is each item of the list `argv`, `tests[].summary`
the `summary` of each item of `tests`; a field holding None is skipped. A kind absent from a table holds
no text of that sort (tests/unit/schemas/test_text_fields.py checks every kind is in one table or said to
hold none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from msgspec.structs import replace

from schemas.steps import (
    AgentStep,
    CloseStep,
    CommandStep,
    CursorStep,
    DiagnosticsStep,
    EditStep,
    FileChangeStep,
    GapStep,
    GitStep,
    NoteStep,
    OfferStep,
    OpenStep,
    RedactionStep,
    SaveStep,
    Step,
    TaskStep,
    TestRunStep,
)

FREE_TEXT: Mapping[type[Step], tuple[str, ...]] = {
    CommandStep: ("cwd", "argv[]", "command_line", "output_tail"),
    TestRunStep: ("args[]", "tests[].nodeid", "tests[].summary"),
    GitStep: ("message", "detail", "ref"),
    DiagnosticsStep: ("items[].message",),
    NoteStep: ("text",),
    TaskStep: ("statement",),
    AgentStep: ("prompt", "command_line", "detail", "tool"),
    OfferStep: ("items[].text",),
    GapStep: ("detail",),
}
FILE_TEXT: Mapping[type[Step], tuple[str, ...]] = {
    OpenStep: ("text",),
    SaveStep: ("text",),
    EditStep: ("changes[].text",),
    FileChangeStep: ("text", "link"),
    GapStep: ("state[].text",),
}
NO_TEXT: tuple[type[Step], ...] = (CloseStep, CursorStep, RedactionStep)  # ids, positions, placeholders

S = TypeVar("S", bound=Step)


def free_fields(step: Step) -> tuple[str, ...]:
    """The free-text fields of `step`'s kind (FREE_TEXT), as the table names them."""
    kind: Any = type(step)
    fields: tuple[str, ...] = FREE_TEXT.get(kind, ())
    return fields


def free_texts(step: Step) -> Iterator[str]:
    """Every free text `step` holds (FREE_TEXT), in the table's order."""
    for field in free_fields(step):
        yield from _values(step, field.split("."))


def file_texts(step: Step) -> Iterator[str]:
    """Every file text `step` holds (FILE_TEXT)."""
    for field in FILE_TEXT.get(type(step), ()):
        yield from _values(step, field.split("."))


def all_texts(step: Step) -> Iterator[str]:
    """Every text `step` holds, free and file."""
    yield from free_texts(step)
    yield from file_texts(step)


def map_free_text(step: S, change: Callable[[str], str]) -> S:
    """`step` with `change` applied to each of its free texts; `step` itself when nothing changed."""
    out: Any = step
    for field in free_fields(step):
        out = _mapped(out, field.split("."), change)
    result: S = out
    return result


def _values(model: Any, parts: list[str]) -> Iterator[str]:
    name, listed = _part(parts[0])
    value = getattr(model, name)
    if value is None:
        return
    for item in value if listed else (value,):
        if len(parts) == 1:
            yield item
        else:
            yield from _values(item, parts[1:])


def _mapped(model: Any, parts: list[str], change: Callable[[str], str]) -> Any:
    name, listed = _part(parts[0])
    value = getattr(model, name)
    if value is None:
        return model

    def one(item: Any) -> Any:
        return change(item) if len(parts) == 1 else _mapped(item, parts[1:], change)
    if listed:
        items = [one(item) for item in value]
        same = all(new is old or new == old for new, old in zip(items, value, strict=True))
        return model if same else replace(model, **{name: items})
    new = one(value)
    return model if new is value or new == value else replace(model, **{name: new})


def _part(part: str) -> tuple[str, bool]:
    return (part[:-2], True) if part.endswith("[]") else (part, False)
