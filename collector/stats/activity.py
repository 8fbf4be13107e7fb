"""Active time and whose work, counted from steps as WakaTime counts time from heartbeats.

Every step that is the developer doing something (an edit, a save, opening a file, a command, a test
run, a git operation, a note, an agent's step; not diagnostics or the file watcher's reports) is a beat.
The time from one beat to the next counts as active when it is at most TIMEOUT_MS (WakaTime's default
"keystroke timeout" of 15 minutes), and goes to the earlier beat's workspace, language and day: a
longer pause is time away. A beat's language is its file's (the languageId its editor gave when it
opened the file, else what the file's extension says), or for a beat without a file (a command, a test
run) the language of the last file touched. Days are the machine's local days.

Whose work: the characters each edit inserted, by its `origin` (none: `unknown`), and as `agent` the
text of the files an agent wrote to disk, as the episode summary counts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

from schemas import Step
from schemas.steps import (
    AgentStep,
    CloseStep,
    CommandStep,
    EditStep,
    FileChangeStep,
    GitStep,
    NoteStep,
    OpenStep,
    SaveStep,
    TaskStep,
    TestRunStep,
)

TIMEOUT_MS = 15 * 60_000
BEATS = (EditStep, SaveStep, OpenStep, CloseStep, CommandStep, TestRunStep, GitStep, NoteStep, TaskStep,
         AgentStep)
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
UNKNOWN = "other"


def language_of(path: str) -> str:
    name = PurePosixPath(path).name.lower()
    if name == "dockerfile":
        return "dockerfile"
    if name == "makefile":
        return "makefile"
    return BY_EXTENSION.get(PurePosixPath(name).suffix, UNKNOWN)


@dataclass
class Activity:
    """Active milliseconds by workspace, language and day, and the characters written by origin."""

    by_workspace: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    by_day: Counter[date] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    episodes: int = 0

    @property
    def total_ms(self) -> int:
        return sum(self.by_workspace.values())

    def add(self, workspace: str, started_at: datetime, steps: Iterable[Step], *,
            since: date | None = None, until: date | None = None) -> None:
        """Count one episode's steps (those on local days from `since` to `until`, both included)."""
        counting = self.episode(workspace, started_at, since=since, until=until)
        for step in steps:
            counting.feed(step)
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
        self.language = UNKNOWN  # of the last file touched
        self.beat: tuple[int, str, date] | None = None  # the last beat's time, language and day
        self.counted = False

    def _inside(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def feed(self, step: Step) -> None:
        into = self.into
        day = (self.started_at + timedelta(milliseconds=step.t_ms)).astimezone().date()
        inside = self._inside(day)
        if isinstance(step, EditStep) and inside:
            into.written[step.origin or "unknown"] += sum(len(change.text) for change in step.changes)
        elif isinstance(step, FileChangeStep) and step.origin == "agent" and step.text and inside:
            into.written["agent"] += len(step.text)
        if not isinstance(step, BEATS):
            return
        path = getattr(step, "path", None)
        if isinstance(step, OpenStep) and step.language_id:
            self.languages[step.path] = step.language_id.lower()
        if isinstance(path, str):
            self.language = self.languages.get(path) or language_of(path)
        if self.beat is not None and step.t_ms - self.beat[0] <= TIMEOUT_MS:
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
