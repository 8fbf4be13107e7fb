"""The intake's first stage (admit > hold > write): what a step must pass before it reaches the journal,
where it stops being a map from the wire and becomes a `Step`: the workspace's recording policy.

`arrive` takes a step that came: a `Step` the socket decoded (a bridge's, collector/protocol/messages.py),
or a map (the pytest plugin's, a hook's, a watcher's: absolute paths, no `t_ms`), which it converts once,
taking out what travels beside a step without being one of its fields and turning an over-large file text
into a `too_large` placeholder (anything the schema refuses becomes a `malformed_input` gap, unless the
policy would drop it anyway). `admit` then applies the workspace's recording policy to the typed step, the
one policy for both: it drops steps about excluded paths, channels the workspace does not record and
codetape's own commands (sources/shell/own_commands.py), and strips excluded paths from gap states, git file
lists and an agent's tool targets, and masks in an agent's texts the names of the paths it drops
(policy/mentions.py). `Admit` is the stage: it remembers each path's clean form for its workspace. From
there the next stages (hold.py, write.py) work on that one typed step; its `t_ms` is 0 until the episode
places it (open_episode.py). They tell kinds apart by `type(step) is EditStep`: the step types have no
subclasses, and on a msgspec struct `isinstance` takes five times as long (68 ns, a tenth of a keystroke's
ingest for the dozen checks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeGuard, TypeVar

import msgspec

from collector.daemon.own_steps import converted, gap, kind_name
from collector.home import Home
from collector.policy.mentions import masked_mentions
from collector.policy.recording import Policy
from collector.sources.shell.own_commands import own_command
from collector.text.paths import path_problem
from collector.text.validation import first_error
from schemas import steps as kinds
from schemas.steps.git import GitFileStat

AGENT_TEXT = ("prompt", "tool", "command_line", "detail")  # an agent step's free text (policy/mentions.py)
_STEP_TYPES = frozenset(kinds.STEP_TYPES)
_PATH_FIELDS = {t: tuple(f for f in ("path", "new_path") if f in t.__struct_fields__)
                for t in kinds.STEP_TYPES}
_Entry = TypeVar("_Entry", kinds.FileState, GitFileStat)


class Admit:
    """The first stage: a step that came as the policy it is given lets it be written (`arrive`)."""

    def __init__(self) -> None:
        self.paths = CleanPaths()  # the root never changes, so neither do a path's clean form and problem

    def __call__(self, data: object, source: str, policy: Policy) -> Arrival | None:
        """(lock held) `arrive`: the step `data` as `policy` lets it be written (None: dropped)."""
        return arrive(data, source, policy, self.paths)

    def again(self, policy: Policy) -> Callable[[kinds.Step], kinds.Step | None]:
        """What admits a held step again under `policy`, stricter than the one it came under."""
        return lambda step: admit_again(step, policy, self.paths)


class Arrival(NamedTuple):
    """A step that came, as the episode may hold it, and what came beside it without being a field."""

    step: kinds.Step  # `t_ms` 0: the episode places it when it writes it
    junit: tuple[str, ...] = ()  # a command's `codetape run --junit GLOB`: where its reports are
    patch: dict[str, Any] | None = None  # an agent's: what its tool reported it changed, by clean path


def arrive(data: object, source: str, policy: Policy, paths: CleanPaths) -> Arrival | None:
    """The step `data` as it may be written, or None when it must be dropped (excluded path, channel off).
    `data` is a `Step` the socket decoded (a bridge's: `admit`), or a map (a JSON client's, a watcher's, an
    older bridge's): what travels beside it without being a field is taken out, an over-large file text
    becomes its `too_large` placeholder, and it is converted (checked against the schema) before `admit`
    applies the policy, the one policy for both. `source` is the connection's, for a map that names none.

    A map the schema refuses is dropped when its path is outside the workspace or excluded, its channel off
    or it is codetape's own command, as a valid one would be; else it becomes a `malformed_input` gap."""
    if is_step(data):  # decoded at the socket (collector/protocol/messages.py)
        return admit(data, policy, paths)
    if not isinstance(data, dict):
        return Arrival(gap("collector", "malformed_input", "a step that is not a map"))
    plain = dict(data)
    patch = plain.pop("patch", None)  # what an agent's tool reported it changed: never written
    junit = plain.pop("junit", None)  # `codetape run --junit GLOB`: where to look, not a field
    globs = tuple(g for g in junit if isinstance(g, str))[:100] if isinstance(junit, list) else ()
    plain.setdefault("source", source)
    plain["t_ms"] = 0
    if plain.get("kind") == "file_change" and isinstance(plain.get("text"), str):
        size = _too_large(plain["text"], policy)  # before the schema, which bounds a text too
        if size is not None:
            plain.update(text=None, omitted="too_large", size=size)
    try:
        step = kinds.step_from_dict(plain)
    except kinds.StepError as exc:
        return _refused(plain, exc, policy, paths)
    return admit(step, policy, paths, patch=patch, junit=globs)


def is_step(data: object) -> TypeGuard[kinds.Step]:
    """Whether `data` is a step (a struct), not a map."""
    return type(data) in _STEP_TYPES


def admit(step: kinds.Step, policy: Policy, paths: CleanPaths, *, patch: object = None,
          junit: tuple[str, ...] = ()) -> Arrival | None:
    """A checked step as the policy lets it be written, or None when it drops it.

    Paths are stored workspace-relative and normalised (`/abs/ws/a.py`, `./a.py` and `b/../a.py` are
    all `a.py`); a step about a path outside the workspace is dropped, and one about a path no episode
    may hold (text/paths.py) becomes a `malformed_input` gap that does not repeat the path. Codetape's own
    commands are dropped; gap states, git file lists and an agent's targets lose their excluded paths."""
    kind = step.kind
    changes: dict[str, Any] = {}
    for key in _PATH_FIELDS.get(type(step), ()):
        value = getattr(step, key)
        if value is None:
            continue
        clean, problem = paths.get(policy, value)
        if clean is None or policy.is_excluded(clean):
            return None
        if problem is not None:
            return Arrival(_path_gap(repr(kind), step.source, problem))
        if clean != value:
            changes[key] = clean
    if not policy.settings.records(kind):
        return None
    if type(step) is kinds.CommandStep and own_command(msgspec.structs.asdict(step)):
        return None  # codetape's own: not the developer's work
    if type(step) is kinds.GapStep and step.state is not None:
        changes["state"] = _entries(step.state, policy)
    elif type(step) is kinds.GitStep and step.files:
        changes["files"] = _entries(step.files, policy)
    elif type(step) is kinds.FileChangeStep and step.text is not None:
        size = _too_large(step.text, policy)
        if size is not None:
            changes.update(text=None, omitted="too_large", size=size)
    if step.t_ms:
        changes["t_ms"] = 0
    if type(step) is kinds.AgentStep:
        plain = kinds.step_to_dict(msgspec.structs.replace(step, **changes))
        patch = _agent_targets(plain, patch, policy, paths)
        return Arrival(converted(plain), junit, patch)  # checked again: masking may lengthen a text
    return Arrival(msgspec.structs.replace(step, **changes) if changes else step, junit, None)


def _refused(plain: dict[str, Any], exc: kinds.StepError, policy: Policy,
             paths: CleanPaths) -> Arrival | None:
    """A map the schema refused: dropped where a valid one would be, else a `malformed_input` gap naming
    the first field refused (never its value)."""
    for key in ("path", "new_path"):
        value = plain.get(key)
        if not isinstance(value, str):
            continue
        clean, problem = paths.get(policy, value)
        if clean is None or policy.is_excluded(clean):
            return None
        if problem is not None:
            return Arrival(_path_gap(kind_name(plain), plain.get("source"), problem))
    kind = plain.get("kind")
    if isinstance(kind, str) and not policy.settings.records(kind):
        return None
    if kind == "command" and own_command(plain):
        return None
    return Arrival(gap("collector", "malformed_input",
                       f"invalid {kind_name(plain)} step ({first_error(exc, values=False)})"))


def _path_gap(kind: str, source: object, problem: str) -> kinds.Step:
    detail = f"a {kind} step about a path that cannot be recorded: {problem}"
    return converted({"kind": "gap", "source": source, "t_ms": 0, "reason": "malformed_input",
                      "detail": detail})


def _too_large(text: str, policy: Policy) -> int | None:
    """The UTF-8 size of a file's text above the workspace's cap (None: within it)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > policy.settings.max_file_bytes else None


def _entries(entries: list[_Entry], policy: Policy) -> list[_Entry]:
    """Gap state or git file entries without those about paths not recorded, their paths normalised."""
    return [msgspec.structs.replace(entry, path=clean) for entry in entries
            if (clean := _recordable(entry.path, policy)) is not None]


def admit_again(step: kinds.Step, policy: Policy, paths: CleanPaths) -> kinds.Step | None:
    """A step that arrived under other settings, as `policy`'s (stricter) settings let it be written,
    or None when they drop it: `admit` again (its paths are clean already)."""
    again = admit(step, policy, paths)
    return None if again is None else again.step


class CleanPaths:
    """A path's normalised form (None: outside the workspace) and why it cannot be recorded (None: it
    can), remembered for one workspace: both depend on the path and the workspace's root alone, and a
    keystroke's step repeats the path of the one before. At most `limit` paths are kept."""

    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._known: dict[str, tuple[str | None, str | None]] = {}

    def get(self, policy: Policy, path: str) -> tuple[str | None, str | None]:
        known = self._known.get(path)
        if known is None:
            if len(self._known) >= self._limit:
                self._known.clear()
            clean = policy.normalize(path)
            known = self._known[path] = (clean, None if clean is None else path_problem(clean))
        return known

    def __len__(self) -> int:
        return len(self._known)


def _agent_targets(step: dict[str, Any], patch: object, policy: Policy,
                   paths: CleanPaths) -> dict[str, Any] | None:
    """An agent step keeps the targets it may name: inside the workspace, not excluded, recordable, in
    their clean form, and its command line only where commands are recorded. Returns what its tool
    reported it changed (`patch`), by the same paths kept."""
    targets = step.get("targets")
    if isinstance(targets, list):
        clean = (paths.get(policy, t) if isinstance(t, str) else (None, None) for t in targets)
        step["targets"] = [path for path, problem in clean
                           if path is not None and problem is None and not policy.is_excluded(path)]
        if not step["targets"]:
            del step["targets"]
    if not policy.settings.records("command"):
        step.pop("command_line", None)
    for field in AGENT_TEXT:  # what the dropped targets' names would say: sign --exclude's, at capture
        if isinstance(step.get(field), str):
            step[field] = masked_mentions(step[field], policy)
    if not isinstance(patch, dict):
        return None
    cleaned = ((paths.get(policy, path), part) for path, part in patch.items() if isinstance(path, str))
    return {path: part for (path, problem), part in cleaned
            if path is not None and problem is None and not policy.is_excluded(path)}


def _recordable(path: str, policy: Policy) -> str | None:
    """A gap state or git file entry's path normalised, or None when it is not recorded (outside the
    workspace, excluded, a path no episode may hold)."""
    clean = policy.normalize(path)
    return None if clean is None or policy.is_excluded(clean) or path_problem(clean) is not None else clean


def own_state(root: Path, home: Home) -> tuple[str, ...]:
    """An anchored glob for CODETAPE_HOME when it lies inside the workspace: never record our own files."""
    try:
        inside = home.root.resolve().relative_to(root)
    except ValueError:
        return ()
    return ("/" + glob_escape(inside.as_posix()) + "/",) if inside.parts else ("**",)


def glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[\\" else c for c in text)
