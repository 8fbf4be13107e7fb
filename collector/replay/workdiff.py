"""Unified diffs between two states of a workspace, in git's form: `git apply` and `patch -p1` read them.

The state at a step holds, beside the files the episode knows then, those it first recorded later, as
first recorded (collector/replay/baselines.py): a file opened after the start was there all along, and
a diff from the start shows what changed in it, as the HTML report does, not the whole file as new.

Each file's diff starts as `git diff` starts one: `diff --git a/PATH b/PATH`, then for a file created
`new file mode 100644` (its `---` is /dev/null), for one deleted `deleted file mode 100644` (its `+++` is
/dev/null), then `index OLD..NEW` with the blob ids of the two texts (seven hex digits, 0000000 for
none; no mode for a changed file: the episode does not record modes, and git checks a mode it is given).
An empty file created or deleted has that header and no hunk, as in git. A rename the episode recorded
between the two states (a `file_change` `renamed`, followed through any chain of renames), from a path
that holds text in the first state and not the second to one that holds text in the second and not the
first, is written as git writes one (`similarity index`, `rename from`, `rename to`, then the change of
content if any); any other pair of a deleted and a created path stays a deletion and a creation. Paths
are quoted as git quotes them (`"a/tab\\there"`) when they hold a quote, a backslash or a control
character; other characters, UTF-8 included, are written as they are (git's `core.quotePath=false`), and a
`---`/`+++` name with a space ends with a tab as in git. Files come in the order of their new path.

Lines end at LF as git sees them (a CR stays part of its line), and a last line without one gets git's
`\\ No newline at end of file`.
A file whose content was not recorded (binary or too large) on one side is named on a line `git apply`
passes over (`Files a/x and b/x differ (binary, content not recorded)`), not diffed; one recorded without
content on both sides is left out, since nothing says whether it changed. Each file's hunks come from
collector/text/linediff.py, at a bounded cost (a diff that would cost more is coarse).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from collector.episode import Episode
from collector.errors import ReconstructionError, UsageError
from collector.reconstruct.workspace import Workspace
from collector.replay.baselines import Baselines
from collector.replay.moment import Moment
from collector.text.linediff import DiffWork, line_diff
from schemas.steps import FileChangeStep

NO_BLOB = "0000000"
MODE = "100644"  # a regular file, not executable: what git writes for a new or deleted text file


@dataclass(frozen=True)
class Files:
    """The files of a workspace at one step: texts, and paths that exist without recorded content."""

    texts: dict[str, str]
    omitted: dict[str, str]

    @classmethod
    def of(cls, workspace: Workspace) -> Files:
        return cls(workspace.files(), dict(workspace.omitted))

    def with_unseen(self, baselines: Baselines, step: int) -> Files:
        """These files (the state after step `step`, -1: before the first) with those the episode first
        recorded after it, as first recorded; one whose text then is unknown is named, not diffed."""
        texts, omitted = baselines.unseen(step)
        known = self.texts.keys() | self.omitted.keys()
        texts = {path: text for path, text in texts.items() if path not in known}
        omitted = {path: why for path, why in omitted.items() if path not in known}
        if not texts and not omitted:
            return self
        return Files(dict(sorted((self.texts | texts).items())), self.omitted | omitted)

    def has(self, path: str) -> bool:
        return path in self.texts or path in self.omitted


EMPTY = Files({}, {})


@dataclass
class Renames:
    """What the episode recorded of files moving, by step: (step index, from, to) in step order, a rename
    with both paths, a file created with no `from`, one deleted with no `to`."""

    steps: list[tuple[int, str | None, str | None]] = field(default_factory=list)

    def note(self, index: int, step: object) -> None:
        if type(step) is not FileChangeStep:
            return
        if step.change == "renamed" and step.new_path is not None:
            self.steps.append((index, step.path, step.new_path))
        elif step.change == "created":
            self.steps.append((index, None, step.path))
        elif step.change == "deleted":
            self.steps.append((index, step.path, None))

    def between(self, a: int, b: int) -> dict[str, str]:
        """Where each file renamed from the state after step `a` to the state after step `b` went (-1:
        before the first step), through any chain of renames (x to y, then y to z: x to z); backwards when
        b < a. A file created or deleted at a path on the way ends what was there."""
        if a <= b:
            moves = [(old, new) for index, old, new in self.steps if a < index <= b]
        else:
            moves = [(new, old) for index, old, new in reversed(self.steps) if b < index <= a]
        origin: dict[str, str | None] = {}  # a path -> the path its file had at `a` (None: not there then)
        for old, new in moves:
            moved = None if old is None else origin.get(old, old)
            if old is not None:
                origin[old] = None
            if new is not None:
                origin[new] = moved
        return {first: path for path, first in origin.items() if first is not None and first != path}

    def overall(self) -> dict[str, str]:
        """`between` the start and the last step noted."""
        return self.between(-1, self.steps[-1][0] if self.steps else -1)


def states_at(episode: Episode, moments: list[Moment]) -> list[Files]:
    """The files at each moment, in one pass that stops at the last one needed.

    `start` is the state before the first step: the files as the episode first recorded them; a time is
    the state after the last step at or before it; a step number is the state after that step. Files the
    episode first recorded after a moment are in its state as first recorded (`Files.with_unseen`).
    """
    return [files for _, files in _states(episode, moments)]


def diff_states(episode: Episode, a: Moment, b: Moment) -> tuple[Files, Files, dict[str, str]]:
    """The files at `a` and at `b` (`states_at`), and the renames the episode recorded from one to the
    other (`Renames.between`): what `unified_diff` takes."""
    renames = Renames()
    (at_a, old), (at_b, new) = _states(episode, [a, b], renames)
    return old, new, renames.between(at_a, at_b)


def _states(episode: Episode, moments: list[Moment],
            renames: Renames | None = None) -> list[tuple[int, Files]]:
    """(step index, files) at each moment; `renames`, when given, gets the renames of the steps read."""
    found: dict[int, tuple[int, Files]] = {}
    pending: list[tuple[int, Moment]] = []
    for number, moment in enumerate(moments):
        if moment.edge == "start":
            found[number] = (-1, EMPTY)
        else:
            pending.append((number, moment))
    workspace = Workspace(episode.header.position_encoding)
    baselines = Baselines()
    index = -1
    for index, step in enumerate(episode.steps()):
        if not pending:
            break
        for number, moment in pending:
            if moment.ms is not None and step.t_ms > moment.ms:
                found[number] = (index - 1, Files.of(workspace))
        try:
            workspace.apply(step)
        except ReconstructionError as exc:
            raise type(exc)(f"step {index}: {exc}") from None
        baselines.after(index, step, workspace)
        if renames is not None:
            renames.note(index, step)
        for number, moment in pending:
            if moment.step == index:
                found[number] = (index, Files.of(workspace))
        pending = [(number, moment) for number, moment in pending if number not in found]
    for number, moment in pending:
        if moment.step is not None:
            raise UsageError(f"step {moment.text} does not exist: the episode has {len_known(episode)} steps")
        found[number] = (index, Files.of(workspace))
    return [(found[number][0], found[number][1].with_unseen(baselines, found[number][0]))
            for number in range(len(moments))]


def len_known(episode: Episode) -> int:
    """Steps of kinds this codetape knows (what step numbers count)."""
    return episode.step_count - sum(episode.skipped.values())


def unified_diff(old: Files, new: Files, context: int = 3,
                 renames: Mapping[str, str] | None = None) -> Iterator[str]:
    """Diff lines, each ending with a line break; nothing when both states hold the same files.
    `renames` (old path -> new path, `diff_states`) are written as renames where the two states agree
    with them; the rest of them is ignored."""
    moved = dict(_renames(old, new, renames or {}))
    sources = set(moved)
    targets = {new_path: old_path for old_path, new_path in moved.items()}
    paths = set(old.texts) | set(old.omitted) | set(new.texts) | set(new.omitted)
    for path in sorted(paths - sources):
        if path in targets:
            source = targets[path]
            yield from file_diff(path, old.texts[source], new.texts[path], context, old_path=source)
            continue
        if path in old.omitted or path in new.omitted:
            yield from _omitted(path, old, new)
            continue
        before, after = old.texts.get(path), new.texts.get(path)
        if before == after:
            continue
        yield from file_diff(path, before, after, context)


def _renames(old: Files, new: Files, renames: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """The renames that hold between the two states: from a path with text in `old` and none in `new`, to
    one with text in `new` and none in `old`."""
    for source, target in renames.items():
        if source in old.texts and not new.has(source) and target in new.texts and not old.has(target):
            yield source, target


def file_diff(path: str, before: str | None, after: str | None, context: int = 3,
              work: DiffWork | None = None, *, old_path: str | None = None,
              git: bool = True) -> Iterator[str]:
    """The diff of one file (None: the file does not exist on that side), in whole lines; `old_path`: the
    path `before` had, for a rename (`before` then is a text). `git`: with git's header lines (`diff
    --git`, modes, `index`, the rename, names quoted); without them, the ---/+++ lines with the names as
    they are and the hunks only (the HTML report's view), nothing for a file without hunks."""
    if old_path is None and before == after:
        return
    hunks = line_diff(before or "", after or "", context, work).parts
    if not git:
        first = next(hunks, None)
        if first is not None:
            yield f"--- {'/dev/null' if before is None else 'a/' + (old_path or path)}\n"
            yield f"+++ {'/dev/null' if after is None else 'b/' + path}\n"
            yield first
            yield from hunks
        return
    source = path if old_path is None else old_path
    yield f"diff --git {quoted('a/' + source)} {quoted('b/' + path)}\n"
    if old_path is not None:
        parts = list(hunks)
        hunks = iter(parts)
        yield f"similarity index {similarity(before or '', after or '', parts)}%\n"
        yield f"rename from {quoted(source)}\nrename to {quoted(path)}\n"
        if before != after:
            yield f"index {blob(before)}..{blob(after)}\n"
    elif before is None:
        yield f"new file mode {MODE}\nindex {NO_BLOB}..{blob(after)}\n"
    elif after is None:
        yield f"deleted file mode {MODE}\nindex {blob(before)}..{NO_BLOB}\n"
    else:
        yield f"index {blob(before)}..{blob(after)}\n"
    first = next(hunks, None)
    if first is None:
        return
    yield from names(source if before is not None else None, path if after is not None else None)
    yield first
    yield from hunks


def names(before: str | None, after: str | None) -> Iterator[str]:
    """The ---/+++ lines (None: /dev/null), as git writes them."""
    for mark, prefix, path in (("---", "a/", before), ("+++", "b/", after)):
        if path is None:
            yield f"{mark} /dev/null\n"
        else:
            yield f"{mark} {quoted(prefix + path)}{chr(9) if ' ' in path else ''}\n"


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
            '"': '\\"', "\\": "\\\\"}


def quoted(name: str) -> str:
    """`name` as git writes a path in a diff: in double quotes with C escapes when it holds a quote, a
    backslash or a control character; as it is otherwise (non-ASCII too, as with core.quotePath=false)."""
    if not any(ch in _ESCAPES or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return name
    out = "".join(_ESCAPES.get(ch) or (f"\\{ord(ch):03o}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
                  for ch in name)
    return f'"{out}"'


def encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def blob(text: str | None) -> str:
    """The first seven hex digits of git's blob id of `text` as UTF-8 (0000000: no file)."""
    if text is None:
        return NO_BLOB
    data = encoded(text)
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()[:7]


def similarity(before: str, after: str, hunks: Iterable[str]) -> int:
    """How much of `before` is left in `after`, in percent, as git's `similarity index` counts it: the
    bytes of the lines the diff keeps over the larger file's size (100 when the two are the same)."""
    if before == after:
        return 100
    removed = 0
    for part in hunks:
        for line in part.split("\n"):
            if line.startswith("-"):
                removed += len(encoded(line))  # (its mark stands for its line break)
    size = max(len(encoded(before)), len(encoded(after)))
    return max(0, len(encoded(before)) - removed) * 100 // size if size else 100


def _omitted(path: str, old: Files, new: Files) -> Iterator[str]:
    """One line naming a file whose content one side does not know; nothing when neither side knows it."""
    reasons = [old.omitted.get(path), new.omitted.get(path)]
    if None not in reasons:
        return
    sides = ["/dev/null" if not files.has(path) else quoted(f"{prefix}/{path}")
             for files, prefix in ((old, "a"), (new, "b"))]
    reason = (reasons[0] or reasons[1] or "").replace("_", " ")
    yield f"Files {sides[0]} and {sides[1]} differ ({reason}, content not recorded)\n"
