"""The git watcher: every commit, checkout, branch, merge, rebase, reset, stash, cherry-pick, fetch,
pull and tag in the workspace's repository becomes a `git` step.

watchdog watches `.git` (HEAD, refs/, packed-refs, logs/). Reflog lines are read as soon as watchdog
reports their file changed (plain appends, no process, no lock), which keeps their order across files
and catches `git stash && git stash pop` within one burst. Once a burst goes quiet, one pass reads the
refs (`for-each-ref`) and hands both to git_steps. Nothing here writes to the repository; gitread
explains the lock-free reads.

A repository reached through a link (gitdir.py) is never read: `start` raises GitDirRefused when `.git`
is a link already, and when one appears later (a `.git` made a link, or swapped for one mid-session) the
pass records nothing and `failure` says why, so the session stops the watcher and records a `gap`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import git
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from collector.errors import GitDirRefused
from collector.policy.recording import Policy
from collector.sources.emit import Emit
from collector.sources.files.debounce import Debouncer
from collector.sources.files.observer import failure as observer_failure
from collector.sources.files.observer import new_observer
from collector.sources.git.git_steps import (
    LOGGED,
    SOURCE,
    STASH,
    STASH_DROP,
    Observed,
    StepBuilder,
    printable,
)
from collector.sources.git.gitdir import find_git_dir
from collector.sources.git.gitread import GitReader, RefState
from collector.sources.git.reflog import ReflogEntry, ReflogTail
from collector.sources.git.reflog_order import Read, in_git_order

_WATCHED = ("HEAD", "packed-refs", "refs", "logs")
# Writes only: git opens HEAD, refs and config many times per command, and those opens are noise.
EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileMovedEvent, FileDeletedEvent,
    DirCreatedEvent, DirMovedEvent, DirDeletedEvent,
]


class _Handler(FileSystemEventHandler):
    def __init__(self, relevant: Callable[[str], bool], on_path: Callable[[str], None]) -> None:
        self._relevant = relevant
        self._on_path = on_path

    def on_any_event(self, event: FileSystemEvent) -> None:
        for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
            path = raw if isinstance(raw, str) else raw.decode()
            if path and self._relevant(path):
                self._on_path(path)


class GitWatcher:
    """Records the git operations of the repository holding `root` (or of one created there later)."""

    source = SOURCE

    def __init__(self, root: Path, policy: Policy, emit: Emit, *, clock: Callable[[], int],
                 quiet: float = 0.05, max_delay: float = 0.5) -> None:
        self.root = root.resolve()
        self.policy = policy
        self.emit = emit
        self.clock = clock
        self._reader: GitReader | None = None
        self._prefix = ""
        self._state = RefState()
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._observed: list[Observed] = []
        self._tails: dict[str, ReflogTail] = {}
        self._stash_seen: list[ReflogEntry] = []
        self._logs = Path()
        self._git_dirs: set[Path] = set()
        self._watched: set[Path] = set()
        self._builder = StepBuilder(self._describe, self._new_commits)
        self._observer = new_observer()
        self._stopped = False
        self._refused: str | None = None  # why the repository is no longer read (it lies through a link)
        self._debouncer = Debouncer(self._tick, quiet=quiet, max_delay=max_delay, name="codetape-git")

    def start(self) -> None:
        """Watch the repository, or `root` for one to appear; GitDirRefused when `.git` is a link."""
        self._reader = GitReader.open(self.root)
        if self._reader is None:  # not a repository yet: wait for `git init`
            handler = _Handler(lambda p: Path(p).name == ".git", lambda _p: self._debouncer.poke())
            self._observer.schedule(handler, str(self.root), recursive=False, event_filter=EVENTS)
        else:
            self._attach(self._reader, fresh=False)
        self._debouncer.start()
        self._observer.start()

    def settle(self) -> None:
        """Run the pending pass now and wait for it (before a seal)."""
        self._debouncer.settle()

    def stop(self) -> None:
        self._stopped = True
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=10)
        self._debouncer.stop()
        if self._reader is not None:
            self._reader.close()

    def failure(self) -> str | None:
        if self._stopped:
            return None
        if self._refused is not None:
            return self._refused
        return "its worker thread ended" if not self._debouncer.alive else observer_failure(self._observer)

    def _attach(self, reader: GitReader, *, fresh: bool) -> None:
        """Start from the repository as it is now or, when it was just created, from nothing."""
        if reader.worktree != self.root:
            self._prefix = self.root.relative_to(reader.worktree).as_posix() + "/"
        self._logs = reader.common_dir / "logs"
        self._git_dirs = {reader.git_dir, reader.common_dir}
        self._tails["HEAD"] = ReflogTail(reader.git_dir, "logs/HEAD")
        if not fresh:
            self._state = reader.snapshot()
            for name in ["HEAD", *(n for n in self._state.refs if n.startswith(LOGGED))]:
                self._tail(name).skip_to_end()
            self._stash_seen = self._tail(STASH).entries()
        for directory in dict.fromkeys([reader.git_dir, reader.common_dir]):
            self._watch(directory)

    def _watch(self, directory: Path) -> None:
        """Watch `directory` itself (HEAD, packed-refs) and its refs/ and logs/ trees, not objects/."""
        handler = _Handler(_under(directory), self._on_path)
        self._observer.schedule(handler, str(directory), recursive=False, event_filter=EVENTS)
        for sub in ("refs", "logs"):
            if (directory / sub).is_dir() and (directory / sub) not in self._watched:
                self._watched.add(directory / sub)
                self._observer.schedule(handler, str(directory / sub), recursive=True, event_filter=EVENTS)
                if sub == "logs":
                    self._catch_up()

    def _catch_up(self) -> None:
        """Read reflogs written before their directory was watched, in git's order."""
        with self._lock:
            self._observe(self._in_git_order(self._branch_logs()))

    def _branch_logs(self) -> list[str]:
        """The reflogs under logs/refs/ on disk, by name (`refs/heads/main`)."""
        refs = self._logs / "refs"
        return sorted(p.relative_to(self._logs).as_posix() for p in refs.rglob("*") if p.is_file())

    def _tail(self, log: str) -> ReflogTail:
        tail = self._tails.get(log)
        if tail is None:
            tail = self._tails[log] = ReflogTail(self._logs.parent, f"logs/{log}")
        return tail

    # -- reading reflogs as they change (watchdog's thread) --------------------------------------------------

    def _on_path(self, path: str) -> None:
        parent = Path(path).parent
        if path.endswith(("/refs", "/logs")) and parent in self._git_dirs and Path(path) not in self._watched:
            self._watch(parent)  # a new repository's logs/ appears with its first commit
        under_logs = path.startswith(f"{self._logs}/")
        relative = Path(path).relative_to(self._logs).as_posix() if under_logs else None
        if path == str(self._tails["HEAD"].path):
            relative = "HEAD"
        if relative is not None:
            with self._lock:
                self._observe(self._read_log(relative))
        self._debouncer.poke()

    def _in_git_order(self, logs: list[str]) -> list[Read]:
        """The new entries of HEAD and of `logs`, read one file after another, in the order git wrote them."""
        head = [entry for _, entry in self._read_log("HEAD")]
        return in_git_order(head, [read for log in logs for read in self._read_log(log)])

    def _observe(self, read: list[Read]) -> None:
        self._observed.extend(Observed(next(self._seq), log, entry) for log, entry in read)

    def _read_log(self, log: str) -> list[Read]:
        """The entries of `log` not read before (none for a log that records no operation)."""
        if log == STASH:
            return self._read_stash()
        if log == "HEAD" or (log.startswith(LOGGED) and not log.endswith("/HEAD")):  # origin/HEAD: a symref
            return [(log, entry) for entry in self._tail(log).read_new() or []]
        return []

    def _read_stash(self) -> list[Read]:
        """Stash entries come and go (pop, drop rewrite the reflog): diff the whole list."""
        now = self._tail(STASH).entries()
        before = {(e.new, e.seconds, e.message) for e in self._stash_seen}
        after = {(e.new, e.seconds, e.message) for e in now}
        read = [(STASH_DROP, e) for e in self._stash_seen if (e.new, e.seconds, e.message) not in after]
        read += [(STASH, e) for e in now if (e.new, e.seconds, e.message) not in before]
        self._stash_seen = now
        return read

    # -- one pass after a quiet period (the debouncer's thread) ----------------------------------------------

    def _tick(self) -> None:
        self.policy.refresh()
        if self._refused is not None:
            return
        try:
            if self._reader is None:
                reader = GitReader.open(self.root)
                if reader is None:
                    return
                self._reader = reader
                self._attach(reader, fresh=True)
            else:
                find_git_dir(self.root)  # `.git` swapped for a link since: git would follow it now
        except GitDirRefused as exc:
            self._refused = str(exc)
            return
        new = self._reader.snapshot()
        with self._lock:  # reflogs are written before refs move: everything `new` shows is in them now
            # What the events not read yet would have read (the pass may run mid-burst), in git's order;
            # a branch made since the snapshot (`git switch -c` running now) included.
            made = [log for log in self._branch_logs() if log not in new.refs]
            self._observe(self._in_git_order([*made, STASH, *(n for n in new.refs if n.startswith(LOGGED))]))
            kept = {*new.refs, *made}
            for gone in [n for n in self._tails if n.startswith(LOGGED) and n not in kept]:
                del self._tails[gone]  # a branch made again later starts a new reflog
            observed, self._observed = self._observed, []
        old, self._state = self._state, new
        for step in self._builder.build(old, new, observed):
            self.emit(self.clock(), step)

    def _describe(self, sha: str) -> dict[str, Any]:
        assert self._reader is not None
        try:
            info = self._reader.commit(sha)
        except (git.GitError, ValueError) as exc:
            return {"detail": f"commit details unreadable: {str(exc).splitlines()[0][:200]}"}
        files = []
        for stat in info.files:
            path = stat.path[len(self._prefix):]
            if stat.path.startswith(self._prefix) and not self.policy.is_excluded(path):
                shown, escaped = printable(path)
                entry: dict[str, Any] = {"path": shown, "added": stat.added, "deleted": stat.deleted,
                                         "change": stat.change}
                files.append({**entry, "escaped": True} if escaped else entry)
        return {"message": info.message, "parents": info.parents, "files": files}

    def _new_commits(self, tips: list[str], known: list[str]) -> list[str]:
        assert self._reader is not None
        try:
            return self._reader.new_commits(tips, known)
        except git.GitError:
            return []


def _under(directory: Path) -> Callable[[str], bool]:
    base = f"{directory}/"

    def relevant(path: str) -> bool:
        return path.startswith(base) and path[len(base):].split("/", 1)[0] in _WATCHED and \
            not path.endswith(".lock")

    return relevant
