"""Each file's text at the commit zeta2's examples start from (their `revision`), as far as the episode
establishes it: never a text the episode merely saw first, since a workspace may be dirty when recording
begins.

The revision is the episode's HEAD at its start (the header's `head_at_start`). Its files' texts come
from the episode's snapshot (the `snapshot` gap, `snapshot = "tracked"`): a file whose text there was
HEAD's (`at_head`) has that text; one changed before the recording began, or left out of the snapshot
(binary, too large, a link), is not known; a file the snapshot neither holds nor names is in no commit
(a file git does not track), unless the snapshot stopped at its cap. Past the snapshot, or without one,
a file is known from the first step that gave its text: its `head_text`, the collector's comparison with
the file at `head_at_start` (schemas/steps/base.py), `same` gives that text, `absent` no file, `other`
not known; taken at a later revision only for a file no commit since changed, while every commit said
which files it changed (added, modified or deleted ones, each named). A text the seal redacted is never
taken: the file is not known.

A `git commit` step whose parents hold the revision moves it to the commit: each file the commit changed
(its `files`) then holds what it held on disk at the commit when that text differs from the one before by
the lines git counts (added and deleted), else is not known (a commit of part of the changes); the other
files are as they were. A commit on another parent, or any other move of HEAD (checkout, reset, merge,
rebase, cherry-pick, pull), leaves every file unknown from then on.
"""

from __future__ import annotations

from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from collector.sources.git.snapshot import NO_SNAPSHOT, named_in
from collector.text.linediff import DiffWork, line_diff
from schemas import steps as kinds
from schemas.limits import MAX_COMMIT_FILES

MOVES = frozenset({"checkout", "reset", "merge", "rebase", "cherry_pick", "pull"})
REDACTED = "its text there redacted"
UNREAD = "commit details unreadable"  # how the git watcher's detail of a commit it could not read begins


class Revision:
    """The revision and what is known of its files' texts (`known`, `text`), moved by `see`."""

    def __init__(self, head_at_start: str | None, work: DiffWork | None = None) -> None:
        self.sha = head_at_start or ""
        self.since: set[str] | None = set()  # the files the commits on the start's HEAD changed (None: not
        # known which, or HEAD moved otherwise: a comparison with the start's HEAD is no longer taken)
        self.work = work
        self.texts: dict[str, str | None] = {}  # path -> its text at the revision (None: not in it)
        self.unknown: dict[str, str] = {}  # path -> why its text at the revision is not known
        self.rest: str | None = "no snapshot of the repository at the episode's start" if self.sha \
            else "no git HEAD at the episode's start"  # why another path is not known (None: in no commit)

    def known(self, path: str) -> str | None:
        """None when `path`'s text at the revision is known (`text`), else why not."""
        if path in self.texts:
            return None
        return self.unknown.get(path, self.rest)

    def text(self, path: str) -> str | None:
        """`path`'s text at the revision (None: not in it); it must be `known`."""
        return self.texts.get(path)

    def see(self, step: kinds.Step, workspace: Workspace) -> None:
        """Take `step`, once applied to `workspace`: a snapshot, a file's first text, a commit, a move of
        HEAD."""
        match step:
            case kinds.OpenStep(head_text=str() as compared) | kinds.SaveStep(head_text=str() as compared) | \
                    kinds.FileChangeStep(head_text=str() as compared):
                self._first(step.path, compared, step.text)
            case kinds.GapStep(reason="snapshot") if self.sha and not step.detail.startswith(NO_SNAPSHOT):
                for file in step.state or ():  # (none: git tracks no text file there)
                    if file.at_head and file.text is not None and not PLACEHOLDER_RE.search(file.text):
                        self.texts[file.path] = file.text
                    elif file.at_head and file.text is not None:
                        self.unknown[file.path] = REDACTED
                    else:
                        self.unknown[file.path] = "changed before the recording began"
                for path in named_in(step.detail):
                    self.unknown[path] = "left out of the snapshot"
                self.rest = "past the snapshot's cap" if "past the snapshot's cap" in step.detail else None
            case kinds.GitStep(op="commit", sha=str() as sha):
                if self.sha and self.sha in step.parents:
                    self._commit(step, workspace)
                    self._changed(step)
                    self.sha = sha
                else:
                    self._lost(f"a commit not made on {self.sha[:12] or 'a known revision'}")
            case kinds.GitStep(op=op) if op in MOVES and step.new != self.sha:
                self._lost(f"HEAD moved by git {op}")
            case _:  # on purpose: no other step moves HEAD or says what a commit holds
                return

    def _first(self, path: str, compared: str, text: str | None) -> None:
        """The collector's comparison of a file's first text with the file at the start's HEAD, for a file
        neither a snapshot nor a commit since said anything of."""
        if self.since is None or path in self.since or not self.sha or self.rest is None \
                or path in self.texts or path in self.unknown:
            return
        if compared == "absent":
            self.texts[path] = None
        elif compared == "same" and text is not None and not PLACEHOLDER_RE.search(text):
            self.texts[path] = text
        else:
            self.unknown[path] = REDACTED if compared == "same" and text is not None else \
                "not HEAD's text when the episode first saw it"

    def _commit(self, step: kinds.GitStep, workspace: Workspace) -> None:
        for stat in step.files:
            path = stat.path
            if stat.escaped or stat.change not in ("A", "M", "D"):
                self._forget(path, f"a commit's {stat.change} of it")
            elif stat.change == "D":
                self.texts[path] = None
                self.unknown.pop(path, None)
            elif self.known(path) is not None or (disk := workspace.disk.get(path)) is None:
                self._forget(path, self.known(path) or "not on disk at a commit")
            elif _counts(self.text(path) or "", disk, self.work) == (stat.added, stat.deleted):
                self.texts[path] = disk
            else:
                self._forget(path, "a commit of other text than the one on disk")

    def _changed(self, step: kinds.GitStep) -> None:
        """Note the files a commit on the revision changed, or that they are not all known."""
        if self.since is None:
            return
        if (step.detail or "").startswith(UNREAD) or len(step.files) >= MAX_COMMIT_FILES or \
                any(stat.escaped or stat.change not in ("A", "M", "D") for stat in step.files):
            self.since = None  # (a rename names its new path only)
        else:
            self.since.update(stat.path for stat in step.files)

    def _forget(self, path: str, why: str) -> None:
        self.texts.pop(path, None)
        self.unknown[path] = why

    def _lost(self, why: str) -> None:
        self.texts.clear()
        self.unknown.clear()
        self.rest = why
        self.since = None


def _counts(old: str, new: str, work: DiffWork | None) -> tuple[int, int]:
    """The lines a diff from `old` to `new` adds and deletes, as `git diff --numstat` counts them."""
    added = deleted = 0
    for part in line_diff(old, new, work=work).parts:
        for line in part.splitlines():
            if line.startswith("+"):
                added += 1
            elif line.startswith("-"):
                deleted += 1
    return added, deleted
