"""The data contract's vocabulary: a field of a table or an export (its name, type, one-line meaning, the
channels that fill it, its sort) and what each consent mode does to a field of each sort.

A field's sort is the fact the consent modes act on, and TREATMENT is the one table of what they do, read
from the code that does it: free and file texts are the fields schemas/text_fields.py lists (redaction and
the review mask them in both modes; unlinkable mode's cut scrubs free texts with what the repository knows),
and every other row is one of collector/consent/unlinkable.py's `minimise_episode` (times re-timed, the
start and the signing cut to the day, commit and conversation ids pseudonymised, commands shaped, the
editor and the folder dropped, versions cut to major.minor). A receiver's own columns (the build, the
split) are `plain`: no consent mode touches them.

collector/dataset/card/contract.py gathers every writer's declaration into docs/data-contract.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Sort = Literal["plain", "time", "from_times", "day", "commit", "conversation", "ref", "free_text",
               "file_text", "command", "editor", "workspace", "remote", "version", "step_fields"]

# Where a field's value comes from: a channel a workspace records (schemas/settings.py EVERY_CHANNEL), or
# one of these, which no channel setting turns off.
SOURCES: dict[str, str] = {
    "header": "the episode's header and the consent statement its developer signed",
    "agents": "AI agents' hooks (`codetape agent hook`): agent steps, recorded whatever the channels",
    "notes": "note and task steps (`codetape note`, `codetape task`), recorded whatever the channels",
    "gaps": "gap and redaction steps: what the recording lost or the review took out",
    "build": "the receiver's build (`codetape dataset build`, `codetape export`): not in the episode",
}

# what each word of TREATMENT means
WORDS: dict[str, str] = {
    "kept": "as recorded",
    "masked": "secrets (collector/redact/) and what the developer redacted at review are placeholders "
              "(`«redacted:RULE:N»`); a file excluded at review is absent from every field",
    "re-timed": "times are drawn within buckets (the default, `drawn`), re-timed in whole seconds "
                "(`retimed`), floored to 100 ms (`coarse`) or kept (`exact`), as the contributor signed; a "
                "value computed from times is computed from the re-timed ones",
    "cut to the day": "the UTC day only (00:00:00Z)",
    "pseudonymised": "a pseudonym of the episode's own, the same within it, never the same across episodes",
    "scrubbed": "every unpushed commit id, identity, local branch and tag and time of day of the period that "
                "the repository and the machine hold is pseudonymised or cut, in whatever form it is printed",
    "shaped": "a command keeps its program, subcommand and flags; every other argument becomes its kind and "
              "shape (`tests/«dir»/test_«name».py`, `«number:2»`), but those the review kept whole",
    "dropped": "left out (null or empty)",
    "replaced": "one neutral value in every episode (`workspace`)",
    "cut to major.minor": "a version's release level only (`0.1.0` -> `0.1`)",
}

# sort -> (what attributed mode does, what unlinkable mode does), in WORDS' words
TREATMENT: dict[Sort, tuple[str, str]] = {
    "plain": ("kept", "kept"),
    "time": ("kept", "re-timed"),
    "from_times": ("kept", "re-timed"),
    "day": ("kept", "cut to the day"),
    "commit": ("kept", "pseudonymised"),
    "conversation": ("kept", "pseudonymised"),
    "ref": ("masked", "masked, pseudonymised (a local branch or tag)"),
    "free_text": ("masked", "masked, scrubbed"),
    "file_text": ("masked", "masked"),
    "command": ("masked", "masked, shaped"),
    "editor": ("kept", "dropped"),
    "workspace": ("kept", "replaced"),
    "remote": ("kept (credentials removed)", "dropped, but a shared remote the managed policy lists"),
    "version": ("kept", "cut to major.minor"),
    "step_fields": ("masked", "each of the step's fields as the jsonl export's field of its name"),
}


@dataclass(frozen=True)
class Field:
    """One field of a table or an export: `type` as a reader sees it, `meaning` in a line, the `channels`
    (or SOURCES) that fill it, and its `sort` (what the consent modes do to it: TREATMENT)."""

    name: str
    type: str
    meaning: str
    channels: tuple[str, ...]
    sort: Sort = "plain"


@dataclass(frozen=True)
class Contract:
    """What a writer writes: its fields in order, and which of them are the label or follow from it (a
    reward model given them as features learns nothing)."""

    summary: str
    fields: tuple[Field, ...]
    labels: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"a field is declared twice: {sorted(n for n in names if names.count(n) > 1)}")
        if not self.labels <= set(names):
            raise ValueError(f"labels not among the fields: {sorted(self.labels - set(names))}")


def fields(channels: tuple[str, ...], *rows: tuple[str, str, str] | tuple[str, str, str, Sort]) -> tuple[
        Field, ...]:
    """Fields from (name, type, meaning[, sort]) rows that one set of channels fills."""
    made = []
    for row in rows:
        match row:
            case (name, kind, meaning):
                made.append(Field(name, kind, meaning, channels))
            case (name, kind, meaning, sort):
                made.append(Field(name, kind, meaning, channels, sort))
    return tuple(made)
