"""Active time and whose work, counted from steps as WakaTime counts time from heartbeats.

Every step that is the developer doing something (an edit, a save, opening a file, a command, a test
run, a git operation, a note, an agent's step; not diagnostics, the file watcher's reports or a command
that runs codetape itself) is a beat. The time from one beat to the next counts as active when it is at
most the idle time (`idle_ms`; by default TIMEOUT_MS, WakaTime's "keystroke timeout" of 15 minutes), and
goes to the earlier beat's workspace, language and day: a longer pause is time away. A beat's language
is its file's (the languageId its editor gave when it opened the file, else what the file's extension
says), or for a beat without a file (a command, a test run) the language of the last file touched, and
`terminal` before any was. Days are the machine's local days.

Whose work: the characters each edit inserted, by its `origin` (none: `unknown`), and the characters each
write to disk outside the editor inserted over the text it replaced (`agent` when an agent claimed it, else
`unknown`), as the episode summary and the dataset's `--origin` count them (episode/disk_writes.py; the
steps are replayed to know that text: collector/reconstruct/written.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

from collector.episode.disk_writes import DiskWrites
from collector.errors import ReconstructionError
from collector.reconstruct.workspace import Workspace
from collector.reconstruct.written import on_disk
from collector.sources.shell.own_commands import own_command
from schemas import Step
from schemas import steps as kinds
from schemas.common import PositionEncoding

TIMEOUT_MS = 15 * 60_000
BEATS = (kinds.EditStep, kinds.SaveStep, kinds.OpenStep, kinds.CloseStep, kinds.CommandStep,
         kinds.TestRunStep, kinds.GitStep, kinds.NoteStep, kinds.TaskStep, kinds.AgentStep)
# what a file's extension says when its editor gave no languageId (LSP's identifiers)
BY_EXTENSION = {
    ".py": "python", ".pyi": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".jsx": "javascriptreact", ".ts": "typescript", ".tsx": "typescriptreact", ".go": "go", ".rs": "rust",
    ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".hpp": "cpp", ".java": "java", ".kt": "kotlin",
    ".rb": "ruby", ".php": "php", ".cs": "csharp", ".swift": "swift", ".scala": "scala", ".sh": "shellscript",
    ".bash": "shellscript", ".zsh": "shellscript", ".lua": "lua", ".el": "emacs-lisp", ".vim": "vim",
    ".md": "markdown", ".rst": "restructuredtext", ".txt": "plaintext", ".json": "json", ".yaml": "yaml",
    ".yml": "yaml", ".toml": "toml", ".html": "html", ".css": "css", ".scss": "scss", ".sql": "sql",
    ".xml": "xml", ".dockerfile": "dockerfile",
}
UNKNOWN = "other"  # a file whose language its name does not say
TERMINAL = "terminal"  # a beat without a file, before any file was touched


def language_of(path: str) -> str:
    name = PurePosixPath(path).name.lower()
    if name == "dockerfile":
        return "dockerfile"
    if name == "makefile":
        return "makefile"
    return BY_EXTENSION.get(PurePosixPath(name).suffix, UNKNOWN)


@dataclass
class Activity:
    """Active milliseconds by workspace, language and day, and the characters written by origin; a pause
    longer than `idle_ms` between two beats is time away."""

    idle_ms: int = TIMEOUT_MS
    by_workspace: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    by_day: Counter[date] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    episodes: int = 0

    @property
    def total_ms(self) -> int:
        return sum(self.by_workspace.values())

    def add(self, workspace: str, started_at: datetime, steps: Iterable[Step], *,
            since: date | None = None, until: date | None = None,
            encoding: PositionEncoding = "utf-16") -> None:
        """Count one episode's steps (those on local days from `since` to `until`, both included), replayed
        in its position `encoding` (the texts its writes to disk replaced)."""
        counting = self.episode(workspace, started_at, since=since, until=until)
        files: Workspace | None = Workspace(encoding)
        for step in steps:
            counting.feed(step, on_disk(step, files))
            if files is not None:
                try:
                    files.apply(step)
                except ReconstructionError:
                    files = None  # (the writes after it count whole)
        counting.finish()

    def episode(self, workspace: str, started_at: datetime, *, since: date | None = None,
                until: date | None = None) -> Counting:
        """A counter of one episode's steps into this activity, fed one step at a time."""
        return Counting(self, workspace, started_at, since, until)


class Counting:
    """One episode's steps counted into an Activity as they come (`feed`), then `finish`."""

    def __init__(self, into: Activity, workspace: str, started_at: datetime, since: date | None,
                 until: date | None) -> None:
        self.into, self.workspace, self.started_at = into, workspace, started_at
        self.since, self.until = since, until
        self.languages: dict[str, str] = {}
        self.language = TERMINAL  # of the last file touched
        self.beat: tuple[int, str, date] | None = None  # the last beat's time, language and day
        self.counted = False
        self.disk_writes = DiskWrites()  # as the summary and the dataset count them (episode/disk_writes.py)

    def _inside(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def feed(self, step: Step, on_disk: str | None = None) -> None:
        """Count `step`; `on_disk`: a file_change's file as it was on disk before it (None: not known)."""
        into = self.into
        day = (self.started_at + timedelta(milliseconds=step.t_ms)).astimezone().date()
        inside = self._inside(day)
        self.disk_writes.see(step)
        if isinstance(step, kinds.EditStep) and inside:
            into.written[step.origin or "unknown"] += sum(len(change.text) for change in step.changes)
        elif isinstance(step, kinds.FileChangeStep) and inside:
            written = self.disk_writes.written(step, on_disk)
            if written is not None and written[1]:
                into.written[written[0]] += written[1]
        if not isinstance(step, BEATS) or _runs_codetape(step):
            return
        path = getattr(step, "path", None)
        if isinstance(step, kinds.OpenStep) and step.language_id:
            self.languages[step.path] = step.language_id.lower()
        if isinstance(path, str):
            self.language = self.languages.get(path) or language_of(path)
        if self.beat is not None and step.t_ms - self.beat[0] <= into.idle_ms:
            then, language, beat_day = self.beat
            if self._inside(beat_day):
                spent = step.t_ms - then
                into.by_workspace[self.workspace] += spent
                into.by_language[language] += spent
                into.by_day[beat_day] += spent
        self.beat = (step.t_ms, self.language, day)
        self.counted = self.counted or inside

    def finish(self) -> None:
        self.into.episodes += self.counted


def _runs_codetape(step: Step) -> bool:
    """A command that runs codetape itself (`codetape review`, `codetape stats`): not the work counted."""
    return isinstance(step, kinds.CommandStep) and own_command({"argv": step.argv,
                                                                "command_line": step.command_line})
