"""`jsonl`: `<episode id>.jsonl`, the header's JSON on the first line, then every step as `codetape cat`
prints it (the same serialisation, collector/episode/lines.py).

Its fields are the header's and every step kind's (the structs in schemas/), so its contract is read off
them: each field's type from its annotation, the channel of the kinds that hold it (CHANNEL_OF_KIND), and
its sort from the one table of text fields (schemas/text_fields.py) and the names the unlinkable cut
rewrites (collector/consent/unlinkable.py)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import msgspec.inspect as mi

from collector.episode import Episode
from collector.episode.lines import header_line, step_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.reconstruct.workspace import Workspace
from schemas import Step
from schemas.contract import Contract, Field, Sort
from schemas.header import EpisodeHeader
from schemas.settings import CHANNEL_OF_KIND
from schemas.steps import STEP_KINDS, STEP_TYPES
from schemas.text_fields import FILE_TEXT, FREE_TEXT

# the fields unlinkable mode's cut rewrites by name (consent/unlinkable.py `minimise_episode`), before the
# text tables: a command's arguments are shaped, not scrubbed
_BY_NAME: dict[str, Sort] = {
    "t_ms": "time", "duration_ms": "time", "until_ms": "time", "started_at": "day", "sha": "commit",
    "parents": "commit", "old": "commit", "new": "commit", "session": "conversation", "ref": "ref",
    "argv": "command", "command_line": "command", "args": "command", "client": "editor",
    "editors": "editor", "workspace": "remote", "codetape_version": "version"}
# what a line's meaning adds for a field the cut rewrites in parts
_NOTES = {
    "workspace": "; its root_name is `workspace` and head_at_start pseudonymised in unlinkable mode",
    "capture": "; idle_timeout_s and max_file_bytes at their defaults in unlinkable mode",
    "detail": "; an agent's session_start detail has its versions cut to major.minor in unlinkable mode",
}
_CLASS = {str(t.kind): t for t in STEP_TYPES}
_SOURCE_OF_KIND = {"agent": "agents", "note": "notes", "task": "notes", "gap": "gaps", "redaction": "gaps"}


def _type(info: mi.Type) -> str:
    """A field's type as a reader of the JSON sees it."""
    match info:
        case mi.Metadata():
            return _type(info.type)
        case mi.UnionType():
            return " | ".join(_type(one) for one in info.types if not isinstance(one, mi.NoneType))
        case mi.ListType() | mi.FrozenSetType() | mi.SetType() | mi.VarTupleType():
            return f"list[{_type(info.item_type)}]"
        case mi.IntType():
            return "int"
        case mi.FloatType():
            return "float"
        case mi.BoolType():
            return "bool"
        case mi.StrType() | mi.LiteralType() | mi.UUIDType() | mi.DateTimeType():
            return "string"
        case _:  # a struct, a dict: an object
            return "object"


def _texts(table: Mapping[type[Step], tuple[str, ...]], name: str, kinds: list[str]) -> list[str]:
    """The kinds among `kinds` whose field `name` (or a part of it) is in the text table `table`."""
    return [kind for kind in kinds if kind != "header"
            and any(part.split("[")[0].split(".")[0] == name for part in table.get(_CLASS[kind], ()))]


def _sort(name: str, kinds: list[str]) -> tuple[Sort, str]:
    """The field's sort, and what its meaning adds where kinds differ in it."""
    if name in _BY_NAME:
        return _BY_NAME[name], _NOTES.get(name, "")
    files, free = _texts(FILE_TEXT, name, kinds), _texts(FREE_TEXT, name, kinds)
    if files:
        return "file_text", ("; a free text in the " + ", ".join(free) + " step, scrubbed in unlinkable mode"
                             if free else "")
    return ("free_text" if free else "plain"), _NOTES.get(name, "")


def jsonl_fields() -> tuple[Field, ...]:
    """Every field a jsonl line may hold: the header's, then each step kind's, once, with the kinds that
    hold it."""
    holders: dict[str, list[str]] = {"kind": ["header", *sorted(STEP_KINDS)]}
    types: dict[str, str] = {"kind": "string"}
    for kind, struct in [("header", EpisodeHeader), *((k, _CLASS[k]) for k in sorted(STEP_KINDS))]:
        for one in msgspec.structs.fields(struct):
            holders.setdefault(one.encode_name, []).append(kind)
            types.setdefault(one.encode_name, _type(mi.type_info(one.type)))
    made = []
    for name, kinds in holders.items():
        steps = [kind for kind in kinds if kind != "header"]
        where = (("the header" if "header" in kinds else "")
                 + (" and " if "header" in kinds and steps else "")
                 + (("every step" if len(steps) == len(STEP_KINDS) else
                     "the " + ", ".join(steps) + " step" + ("s" if len(steps) > 1 else "")) if steps else ""))
        # (a kind in neither table, such as one being added, is said to have no channel on the page)
        channels = sorted({"header" if kind == "header" else
                           CHANNEL_OF_KIND.get(kind) or _SOURCE_OF_KIND.get(kind, "no channel")
                           for kind in kinds})
        sort, note = _sort(name, kinds)
        made.append(Field(name, types[name], f"in {where} (docs/episode-format.md){note}", tuple(channels),
                          sort))
    return tuple(made)


CONTRACTS = {"jsonl": Contract("the header's line, then every step as `codetape cat` prints it",
                               jsonl_fields())}


class JsonlExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Lines:
        return Lines(out, episode)

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        """Alone, without a replay: the steps as they are read (an episode whose steps do not replay is
        written too)."""
        follower = Lines(out, episode)
        for step in episode.steps():
            follower.add(step)
        return follower.lines


class Lines:
    """The header line at once, then a line per step as the replay reaches it."""

    def __init__(self, out: Writes, episode: Episode) -> None:
        self.out = out
        out.write(header_line(episode.header))
        self.lines = 1

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.add(step)

    def add(self, step: Step) -> None:
        self.out.write(step_line(step))
        self.lines += 1

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        return None

    def finish(self, workspace: Workspace) -> int:
        return self.lines
