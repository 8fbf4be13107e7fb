"""What leaves: the manifest of an episode as it would be signed, shown before signing (the review's
Shared tab, the sign dialog's footer, `codetape sign --dry-run`).

It lists, from the episode as trimmed so far: every file whose text leaves (each file's text leaves whole
as first recorded, so a file merely opened is shared in full: said so), with its lines and what the
episode did to it; the files excluded; what is never recorded (compiled and cache files); the commands
and test runs; absolute paths outside the workspace and environment variable names written in commands,
test runs, git, notes and agent steps; the git remote; and the redactions still in it. `footer()` is the
one line: "3 of 5 files, 10 commands, 3 test runs will be shared".
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from collector.episode import Episode, open_episode
from collector.episode.resolve import show
from collector.episode.summary import FileActivity
from collector.policy.build_noise import never_recorded
from collector.replay.describe import plural
from collector.replay.workdiff import Files, unified_diff
from collector.review.summary_view import ReviewSummary, redaction_line
from schemas import Step
from schemas import steps as kinds
from schemas.text_fields import free_texts

if TYPE_CHECKING:
    from collector.review.session import ReviewSession

# an absolute path of two segments or more, not inside a URL (`https://x/y`) nor a relative path (`a/b/c`)
_ABSOLUTE = re.compile(r"(?<![\w:/.~-])(?:~|/[\w.@+-]+)(?:/[\w.@+-]+)+/?")
# $NAME, ${NAME}, and NAME=value where a shell word starts (`FOO=1 pytest`, `export FOO=1`, `env FOO=1`)
_ENV = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)|(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=")
_SHELL_ONLY = {"PWD", "OLDPWD", "HOME", "PATH", "SHELL", "USER", "IFS", "RANDOM", "LINENO"}
_ENV_TEXT = (kinds.CommandStep, kinds.AgentStep)


@dataclass(frozen=True)
class SharedFile:
    """One file whose text leaves: how long it is and what the episode did to it."""

    path: str
    lines: int | None  # None: its content is not recorded (binary, too large), only that it exists
    activity: str  # "12 edits, 2 saves", "only opened: all of it leaves", ...
    only_read: bool  # opened or in the snapshot, never changed: shared whole all the same

    def line(self) -> str:
        size = "content not recorded" if self.lines is None else plural(self.lines, "line")
        return f"{show(self.path)}  {size}, {self.activity}"


@dataclass(frozen=True)
class Manifest:
    files: tuple[SharedFile, ...]
    excluded: tuple[str, ...]
    commands: tuple[str, ...]
    test_runs: int
    outside_paths: tuple[tuple[str, int], ...]  # (path, how often it is written)
    env_names: tuple[str, ...]
    git_remote: str | None
    remote_note: str  # what signing does with the remote ("" when it is kept as it is)
    redactions: tuple[str, ...]  # one line each: what is still masked in what is shared
    prompts: tuple[str, ...] = ()  # what the developer asked agents, in full, one line each
    agent_commands: tuple[str, ...] = ()  # the command lines agents ran (each once, in order)

    def footer(self) -> str:
        total = len(self.files) + len(self.excluded)
        agents = f", {plural(len(self.prompts), 'prompt')} to agents" if self.prompts else ""
        return (f"{len(self.files)} of {plural(total, 'file')}, {plural(len(self.commands), 'command')}, "
                f"{plural(self.test_runs, 'test run')}{agents} will be shared")

    def lines(self) -> list[str]:
        """The manifest for a person: a heading per part, one entry a line, nothing cut."""
        out = [f"this is what would be shared: {self.footer()}", "",
               f"files whose text leaves ({len(self.files)}); each one's whole text as first recorded, "
               "then every change:"]
        out += [f"  {file.line()}" for file in self.files] or ["  (none)"]
        if self.excluded:
            out += [f"excluded ({len(self.excluded)}), nothing of them leaves:"]
            out += [f"  {show(path)}" for path in self.excluded]
        out += [f"never recorded, so in no episode: {never_recorded()}"]
        out += [f"commands ({len(self.commands)}):"] + [f"  {text}" for text in self.commands]
        out += [f"test runs: {self.test_runs}"]
        if self.prompts or self.agent_commands:
            out += [f"prompts to agents ({len(self.prompts)}):"] + [f"  {text}" for text in self.prompts]
            out += [f"commands agents ran ({len(self.agent_commands)}):"]
            out += [f"  {text}" for text in self.agent_commands]
        out += [f"absolute paths outside the workspace ({len(self.outside_paths)}):"]
        out += [f"  {show(path)}" + (f"  ×{count}" if count > 1 else "")
                for path, count in self.outside_paths]
        out += [f"environment variable names ({len(self.env_names)}): "
                + (", ".join(self.env_names) if self.env_names else "none")]
        remote = show(self.git_remote) if self.git_remote else "none recorded"
        out += [f"git remote: {remote}" + (f" ({self.remote_note})" if self.remote_note else "")]
        out += [f"redactions still in it ({len(self.redactions)}):"]
        out += [f"  {text}" for text in self.redactions]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"footer": self.footer(),
                "files": [{"path": f.path, "lines": f.lines, "activity": f.activity, "only_read": f.only_read}
                          for f in self.files],
                "excluded": list(self.excluded), "commands": list(self.commands), "test_runs": self.test_runs,
                "outside_paths": [{"path": path, "count": count} for path, count in self.outside_paths],
                "env_names": list(self.env_names), "git_remote": self.git_remote,
                "remote_note": self.remote_note, "redactions": list(self.redactions),
                "prompts": list(self.prompts), "agent_commands": list(self.agent_commands)}


def review_manifest(session: ReviewSession) -> Manifest:
    """The manifest of what the review would sign now."""
    browser = session.browser
    trimmed = session.trimmed
    return build_manifest(open_episode(session.current), session.summary, browser.files_at(-1),
                          browser.files_at(browser.count - 1),
                          excluded=() if trimmed is None else trimmed.excluded.paths,
                          workspace=None if session.workspace is None else str(session.workspace),
                          unlinkable=bool(session.summary.unlinkable))


def build_manifest(episode: Episode, summary: ReviewSummary, start: Files, end: Files, *,
                   excluded: Iterable[str], workspace: str | None, unlinkable: bool) -> Manifest:
    """The manifest of `episode` (as it would be signed), whose review summary is `summary` and whose files
    at its start and end are `start` and `end`; `workspace`: the absolute folder it was recorded in, whose
    paths are not outside it; `unlinkable`: it would be signed unlinkably (the remote is then left out
    unless the summary says it is kept)."""
    outside: Counter[str] = Counter()
    names: set[str] = set()
    commands: list[str] = []
    prompts: list[str] = []
    agent_commands: dict[str, None] = {}
    for step in episode.steps():
        _scan(step, outside, names, workspace)
        if isinstance(step, kinds.CommandStep):
            commands.append(_command(step))
        elif isinstance(step, kinds.AgentStep) and step.event == "prompt" and step.prompt:
            prompts.append(show(step.prompt.replace("\n", " ")))
        elif isinstance(step, kinds.AgentStep) and step.event == "tool_call" and step.command_line:
            agent_commands[show(step.command_line.replace("\n", " "))] = None
    files = tuple(_shared_file(path, activity, start, end)
                  for path, activity in sorted(summary.base.files.items()))
    remote = episode.header.workspace.git_remote
    kept = any("repository kept" in note for note in summary.unlinkable)
    note = "left out when signed unlinkably" if unlinkable and remote and not kept else ""
    redactions = tuple(redaction_line(r) for r in summary.redactions)
    return Manifest(files, tuple(sorted(set(excluded))), tuple(commands),
                    len(summary.tests), tuple(sorted(outside.items())), tuple(sorted(names)), remote, note,
                    redactions, tuple(prompts), tuple(agent_commands))


def file_diff(path: str, start: Files, end: Files) -> str:
    """One file's changes over the episode as a unified diff; a file never changed: its text, as shared."""
    before = Files({path: start.texts[path]} if path in start.texts else {},
                   {path: start.omitted[path]} if path in start.omitted else {})
    after = Files({path: end.texts[path]} if path in end.texts else {},
                  {path: end.omitted[path]} if path in end.omitted else {})
    lines = list(unified_diff(before, after, 3))
    if lines:
        return "".join(lines)
    text = end.texts.get(path, start.texts.get(path))
    if text is None:
        return f"{path}: its content is not recorded ({end.omitted.get(path) or start.omitted.get(path)})"
    return f"{path} is not changed in the episode; this whole text leaves with it:\n\n{text}"


def _shared_file(path: str, activity: FileActivity, start: Files, end: Files) -> SharedFile:
    text = end.texts.get(path, start.texts.get(path))
    lines = None if text is None else len(text.splitlines())
    changed = activity.edits or activity.saves or activity.changes
    if changed:
        parts = [plural(activity.edits, "edit") if activity.edits else "",
                 plural(activity.saves, "save") if activity.saves else "",
                 plural(activity.changes, "disk change") if activity.changes else ""]
        return SharedFile(path, lines, ", ".join(part for part in parts if part), False)
    how = "opened" if activity.opens else "in the snapshot"
    return SharedFile(path, lines, f"only {how}: all of it leaves", True)


def _command(step: kinds.CommandStep) -> str:
    """A command as it leaves, in full, on one line (its exit status after it)."""
    line = step.command_line if step.command_line is not None else shlex.join(step.argv or [])
    status = "" if step.exit_code is None else f"  (exit {step.exit_code})"
    return show(line.replace("\n", " ")) + status


def _scan(step: Step, outside: Counter[str], names: set[str], workspace: str | None) -> None:
    for text in free_texts(step):
        outside.update(path for path in _absolute_paths(text) if not _inside(path, workspace))
        if isinstance(step, _ENV_TEXT):
            names.update(env_names(text))


def _absolute_paths(text: str) -> Iterator[str]:
    for match in _ABSOLUTE.finditer(text):
        yield match.group(0).rstrip("/.") or match.group(0)


def env_names(text: str) -> set[str]:
    """The environment variable names a command line reads or sets ($NAME, ${NAME}, NAME=...), without
    the shell's own (PWD, HOME, PATH, ...)."""
    found = {one or two for one, two in _ENV.findall(text)}
    return {name for name in found if name and name not in _SHELL_ONLY}


def _inside(path: str, workspace: str | None) -> bool:
    if workspace is None or path.startswith("~"):
        return False
    root = PurePosixPath(workspace)
    candidate = PurePosixPath(path)
    return candidate == root or root in candidate.parents
