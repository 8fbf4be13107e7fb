"""One recording session per opted-in workspace: one clock, one journal per episode, episodes come and go.

Every source of the workspace (bridges, the pytest plugin, the shell hook, the watchers' threads) feeds
`add`. Thread-safe: one lock orders steps, so `t_ms` never decreases. What a step must pass before it is
written (the recording policy, the hold queue for watcher changes) is admission.py; how the open episode
writes it (its journal, its times, the schema's check: invalid steps become a `malformed_input` gap) is
open_episode.py.

The session looks at `.codetape.toml` (and what the user accepted of it, policy/effective.py) again a
few times a second and before every request that records (settings_watch.py): while it cannot be used
(invalid, gone, no longer the user's alone) nothing is recorded, `problem` says why, and the steps that
came are counted into a `gap` (reason `other`) once it can be used again. New settings apply when no
episode is open, else with the next episode (its header names them), but for what they make stricter
(an exclusion, a channel removed, a smaller `max_file_bytes`, a mandatory exclusion of the sharing
policy): that applies at once, to the steps admitted from then on (file changes still held among them),
the journal's header names it, the seal drops what it excludes from the steps before
(collector/seal/in_force.py), and `status` says so (`tightened`) until the episode ends. The capture
sources keep running as they are: admission filters what they send. The documents of a connection gone
close after leaving.py's delay.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from collector.daemon.admission import CleanPaths, HeldChanges, admit_again, arrive, converted, gap, own_state
from collector.daemon.agent_claims import AgentClaims
from collector.daemon.capture import Capture, StartWatchers
from collector.daemon.head_texts import FirstTexts, HeadTrees
from collector.daemon.junit_runs import JUnitRuns
from collector.daemon.leaving import Leaving
from collector.daemon.open_documents import OpenDocuments
from collector.daemon.open_episode import OpenEpisode
from collector.daemon.paused import PausedWorkspaces
from collector.daemon.settings_watch import SettingsWatch, Wanted
from collector.errors import CodetapeError
from collector.home import Home
from collector.journal import JournalWriter
from collector.policy.recording import Policy
from collector.sources.git.snapshot import take_snapshot
from collector.workspace.identity import identify
from schemas import ClientInfo
from schemas.common import PositionEncoding
from schemas.header import MAX_EDITORS
from schemas.settings import SETTINGS_FILE, WorkspaceSettings
from schemas.steps import (
    AgentStep,
    CloseStep,
    CommandStep,
    FileChangeStep,
    GapReason,
    GitStep,
    SaveStep,
    Step,
    TestRunStep,
)

if TYPE_CHECKING:
    from collector.daemon.silent_hooks import SilentHooks

log = logging.getLogger("codetape.collector")
_ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
_NOTHING = WorkspaceSettings(channels=[])  # the policy until the settings were read (nothing is admitted)


class Session:
    """The recording state of one workspace; episodes come and go, the session stays."""

    def __init__(self, root: Path, home: Home, *, clock: Callable[[], int],
                 start_watchers: StartWatchers | None = None,
                 silent_hooks: SilentHooks | None = None) -> None:
        self.root = root
        self.home = home
        self.policy = Policy(root, _NOTHING)
        self._settings = SettingsWatch(root, home, own_state(root, home), clock=clock)
        self.tightened: tuple[str, ...] = ()  # what was made stricter during the open episode, applied
        self._applied: Wanted | None = None
        self._watched: Policy | None = None  # the policy the capture sources run under
        self._paused = PausedWorkspaces(home)
        self.paused_at: int | None = self._paused.since(root)  # a pause outlives the collector
        self.client: ClientInfo | None = None
        self._editors: list[ClientInfo] = []  # the editors whose steps the open episode records, in order
        self.encoding: PositionEncoding | None = None
        self.next_episode_id = uuid.uuid4()
        self._clock = clock
        self._lock = threading.RLock()
        self._episode: OpenEpisode | None = None
        self._trees = HeadTrees(root)
        self._first = FirstTexts(None, self._trees)  # the open episode's files seen (head_texts.py)
        self._batching = False  # add_many: the open episode keeps its steps until the batch is over
        self._dropped_while_paused = 0
        self._open_docs = OpenDocuments()
        self._held = HeldChanges()
        self._claims = AgentClaims()  # the files an AI agent's tool calls claim (agent_claims.py)
        self._silent = silent_hooks  # an agent at work whose hook does not run: a gap (silent_hooks.py)
        self._leaving = Leaving()
        self._paths = CleanPaths()  # the root never changes, so neither do a path's clean form and problem
        self._reports = JUnitRuns(root, lambda: self.policy, self._add_derived)
        self._told_encoding = False  # once a client was told the encoding, it never changes
        self._capture = (Capture(root, start_watchers, self.emit, clock=clock)
                         if start_watchers is not None else None)
        self.check_settings()

    @property
    def problem(self) -> str | None:
        """Why nothing is recorded now: the settings cannot be used (None: they can)."""
        return self._settings.problem

    @property
    def settings_note(self) -> str | None:
        """What `status` says while the settings file loosens what was accepted."""
        return self._settings.note

    @property
    def withheld(self) -> tuple[str, ...]:
        """What the settings file loosens of what was accepted, one line each."""
        return self._settings.withheld

    # -- sources -----------------------------------------------------------------------------------------

    def hello(self, client: dict[str, Any] | None, position_encoding: str | None) -> PositionEncoding:
        """Remember the first client info and position encoding offered; returns the session's encoding."""
        with self._lock:
            if self.client is None:
                self.client = client_info(client, self.root)
            offered = position_encoding in _ENCODINGS
            if offered and not self._told_encoding:
                self.encoding = _ENCODINGS[_ENCODINGS.index(position_encoding)]
            self._adopt_hello(encoding_offered=offered)
            self._told_encoding = self._told_encoding or offered
            return self.encoding or "utf-16"

    def _adopt_hello(self, *, encoding_offered: bool) -> None:
        """Give an episode a capture source opened before any editor the editor's name and encoding."""
        episode = self._episode
        if episode is None:
            return
        header = episode.header
        changes: dict[str, Any] = {}
        if header.client is None and self.client is not None:
            changes["client"] = self.client
        wanted = self.encoding or "utf-16"
        if encoding_offered and header.position_encoding != wanted:
            if episode.positional or self._told_encoding:
                self.encoding = header.position_encoding  # positions already written: keep theirs
            else:
                changes["position_encoding"] = wanted
        if changes:
            episode.rewrite_header(changes)

    def add(self, at_ms: object, step: object, *, source: str = "collector", owner: object = None) -> None:
        """Record one step that happened at `at_ms` (unix epoch ms), or drop it as the policy says; `owner`
        is the connection that sent it (the documents it opens are open while it is connected)."""
        with self._lock:
            if not isinstance(step, dict):
                self._record_gap(at_ms, "malformed_input", "a step that is not a map")
                return
            if self.paused_at is not None:
                self._dropped_while_paused += 1
                return
            if self.problem is not None:
                self._settings.dropped()
                return
            arrival = arrive(step, source, self.policy, self._paths)
            if arrival is None:
                return
            kept = arrival.step
            self._release_held(self._clock())
            if type(kept) is FileChangeStep or (type(kept) is GitStep and self._held):
                # in order, behind any change already held: a commit of a file written just before it
                # comes after that write (its replay holds what the commit holds)
                self._held.hold(at_ms, kept, self._clock())
                self._release_held(self._clock())
                self._release_claimed(waiting=True)
                return
            timed = at_ms if isinstance(at_ms, int) and not isinstance(at_ms, bool) else None
            if type(kept) is AgentStep and timed is not None:
                self._claims.note(timed, kept, self._clock(), patch=arrival.patch)
            if type(kept) is AgentStep or type(kept) is GitStep:
                self._release_claimed(waiting=False)  # an agent's writes before what it (or git) did next
            self._append(at_ms, kept, owner=owner)
            if timed is not None:
                self._derive(timed, kept, arrival.junit)

    def add_many(self, items: Iterable[tuple[object, object]], *, source: str = "collector",
                 owner: object = None) -> None:
        """Record steps in order, each as `add` would (a step's CodetapeError is logged and the next one
        follows); their journal frames are written together before the lock is released, so what
        `status` counts is written. JournalError when that write fails (the steps before the failing
        one are written and counted)."""
        with self._lock:
            self._batching = True
            if self._episode is not None:
                self._episode.batch()
            try:
                for at_ms, step in items:
                    try:
                        self.add(at_ms, step, source=source, owner=owner)
                    except CodetapeError as exc:
                        log.error("%s: %s", self.root, exc)
            finally:
                self._batching = False
                if self._episode is not None:
                    self._episode.flush()

    def _derive(self, at_ms: int, step: Step, junit: tuple[str, ...]) -> None:
        """Hand a command to the test-report reader; note a test run the pytest plugin sent."""
        if type(step) is CommandStep and self.policy.settings.records("test_run"):
            self._reports.after(at_ms, step, junit)
        elif type(step) is TestRunStep and step.source != "junit":
            self._reports.saw_test_run(at_ms, step)

    def _add_derived(self, at_ms: int, step: dict[str, Any]) -> None:
        try:
            self.add(at_ms, step, source="junit")
        except CodetapeError as exc:
            log.error("%s: %s", self.root, exc)

    def tick(self) -> None:
        """Record the held file changes that are due, look at the settings again (the daemon calls this a
        few times a second)."""
        self.policy.refresh()  # git's ignore files outside the work tree changed: the editor's steps see it
        with self._lock:
            self._release_held(self._clock())
            self.check_settings()

    def check_settings(self) -> None:
        """Read `.codetape.toml` again when it, the registry (what the user accepted), policy.toml or the
        managed policy (policy/managed.py) changed since the last look: a problem stops recording at once,
        its end records the `gap`; new settings apply now when no episode is open, else what they make
        stricter now and the rest when the next one opens."""
        with self._lock:
            self._look_at_settings()
            if self._episode is None:
                self._apply_settings()
            else:
                self._tighten()

    def _release_claimed(self, *, waiting: bool) -> None:
        """Append at once the held file changes an agent's tool call claims (agent_claims.py): no editor
        save step is to come for them, and waiting HOLD_MS would put them after what the agent did next
        (its next tool call, a commit), so that the episode's commit would not hold them. `waiting`:
        one only a tool call still running claims stays held until its result (which may say what the
        tool changed), the agent's next step, or HOLD_MS. The changes held before a claimed one on its paths
        go with it (HeldChanges.take): a temporary file's creation before its claimed rename."""
        def claimed(at_ms: object, step: Step) -> bool:
            return self._claims.claimed(at_ms, step, settled=waiting)

        for at_ms, step in self._held.take(claimed):
            self._append(at_ms, self._claims.attribute(at_ms, step))

    def _release_held(self, now: int, *, everything: bool = False) -> None:
        """Append the held file changes that are due (all of them with `everything`), in order."""
        for at_ms, step in self._held.due(now, everything=everything):
            self._append(at_ms, self._claims.attribute(at_ms, step))
        self._let_go(now, everything=everything)

    def emit(self, at_ms: int, step: dict[str, Any]) -> None:
        """The callback given to the capture sources (called from their threads)."""
        try:
            self.add(at_ms, step, source="watcher")
        except CodetapeError as exc:
            log.error("%s: %s", self.root, exc)

    # -- control -----------------------------------------------------------------------------------------

    def pause(self) -> bool:
        """Stop recording until `resume`; returns False when already paused."""
        with self._lock:
            if self.paused_at is not None:
                return False
            self.paused_at = self._clock()
            self._paused.pause(self.root, self.paused_at)
            self._dropped_while_paused = 0
            return True

    def resume(self) -> bool:
        """Record again; the hole becomes a `gap` step (`paused`) if an episode is open or steps fell in."""
        with self._lock:
            if self.paused_at is None:
                return False
            since, self.paused_at = self.paused_at, None
            self._paused.resume(self.root)
            dropped, self._dropped_while_paused = self._dropped_while_paused, 0
            if self._episode is None and not dropped:
                return True
            now = self._clock()
            self._append(since, gap("collector", "paused", "recording was paused", lost=dropped), until=now)
            return True

    def wait_capture(self, timeout: float = 15.0) -> bool:
        """Wait until the capture sources run (so what happens next is recorded). Never under the lock."""
        return self._capture is None or self._capture.wait_ready(timeout)

    def settle(self) -> None:
        """Let the capture sources record what they have seen so far, and the test reports of the commands
        recorded so far be read. Never under the session's lock."""
        if self._capture is not None:
            self._capture.settle()
        self._reports.settle()

    def release(self, owner: object) -> None:
        """A connection is gone (its bridge exited or lost the collector): the documents it had open are
        closed for it, so no later episode carries them on its account, and those nobody else has open
        close in the episode (a `close` step, reason `editor_gone`): after LEAVING_MS, so that the file
        watcher's view of a buffer written without a save step (issue 27, item 8) is still that save;
        earlier for a document whose file another program changes meanwhile (`OpenDocuments.closing`)."""
        with self._lock:
            self._leaving.left(self._clock(), owner)
            self._open_docs.leave(owner)

    def _let_go(self, now: int, *, everything: bool = False) -> None:
        """Close the documents of the connections gone LEAVING_MS ago (all of them with `everything`), once
        the file changes held from before then are recorded against them (leaving.py)."""
        for left_at, owner in self._leaving.due(now, waiting=self._held.came_by, everything=everything):
            closed, closing = self._open_docs.release(owner)
            for path in closing:
                self._close_gone(left_at, path)
            if closed:
                log.info("%s: a connection closed: %d documents it had open are closed", self.root, closed)

    def _close_gone(self, at_ms: int, path: str) -> None:
        """(lock held) Close in the episode a document whose editors are all gone without closing it."""
        self._append(at_ms, _gone_close(path))

    def detach(self) -> Path | None:
        """End the current episode: close its journal and return its path for sealing (None: none open).
        The file changes still held are recorded first, and when nothing else was they open the episode: a
        file written and committed just before a seal is in it, not left for the next one."""
        with self._lock:
            now = self._clock()
            self._release_held(now, everything=True)
            if self._episode is not None:
                for path in self._open_docs.gone():  # edited documents left open, their save never seen
                    self._close_gone(now, path)
            episode, self._episode = self._episode, None
            if episode is None:
                return None
            self.next_episode_id = uuid.uuid4()
            self.tightened = ()
            self._open_docs.episode_ended()
            if self._silent is not None:
                self._silent.episode_ended()
            return episode.close()

    def journal_progress(self) -> tuple[JournalWriter, int, int] | None:
        """The open episode's journal writer, where its whole frames end (bytes) and its step count."""
        with self._lock:
            episode = self._episode
            return None if episode is None else (episode.writer, episode.writer.end, episode.steps)

    def idle_for(self, now: float) -> float | None:
        """Seconds since the last recorded step of the open episode (None when no episode is open)."""
        with self._lock:
            return None if self._episode is None else now - self._episode.last_activity

    def status(self) -> dict[str, Any]:
        with self._lock:
            episode = self._episode
            return {
                "root": str(self.root), "recording": self.problem is None, "problem": self.problem,
                "settings_note": self.settings_note, "withheld": list(self.withheld),
                "tightened": list(self.tightened),
                "paused": self.paused_at is not None,
                "episode": str(episode.header.episode_id) if episode else None,
                "steps": episode.steps if episode else 0, "bytes": episode.size() if episode else 0,
                "started_at": episode.header.started_at.isoformat() if episode else None,
                "capture": self._capture.running if self._capture is not None else [],
                "capture_stopped": self._capture.stopped if self._capture is not None else {},
            }

    def close(self) -> Path | None:
        """Stop the sources and the policy helper; returns the journal left to seal, if any.

        Never call it holding the session's lock: the sources' threads may be waiting for it.
        """
        if self._capture is not None:
            self._capture.close()
        self._reports.close()
        path = self.detach()
        self.policy.close()
        if self._watched is not None and self._watched is not self.policy:
            self._watched.close()
        return path

    # -- internals ---------------------------------------------------------------------------------------

    def _append(self, at_ms: object, step: Step, *, until: int | None = None, owner: object = None) -> None:
        if not isinstance(at_ms, int) or isinstance(at_ms, bool) or at_ms < 0:
            self._record_gap(None, "malformed_input", f"a {step.kind!r} step without a valid time")
            return
        held = self._open_docs.withhold(step, self.encoding or "utf-16", owner)
        if held is None:
            return  # about documents the episode does not hold
        closes_after = False
        if type(held) is FileChangeStep and self._open_docs.holds(held):
            # the watcher saw an open document's text written to disk
            if not self._open_docs.unsaid_save(held):
                return  # as it was opened or last saved: the editor's save step said so, or nothing changed
            closes_after = self._open_docs.closes_after(held)  # its editors are gone: then it closes
            held = _unsaid_save(held)
        episode = self._episode or self._open(min(at_ms, self._clock()))
        if episode is None or episode.is_echo(held, at_ms):
            return  # the file watcher saw the editor write what the episode already knows
        t_ms = episode.t_ms(at_ms, self._clock())
        if type(held) is FileChangeStep and held.origin == "agent":
            self._claims.taken(at_ms, held)  # (its result claims no later write of the file)
        if type(held) is FileChangeStep and held.origin is None and self._silent is not None:
            for silent in self._silent.gaps(at_ms):  # nobody's write while an agent's hook is silent
                self._write(episode, silent, at_ms, t_ms, None)
        closing = self._open_docs.closing(held)
        if closing is not None:  # another program changed a file whose editors left it open: the disk's now
            self._write(episode, _gone_close(closing), at_ms, t_ms, None)
        opening = self._open_docs.opening(held)
        if opening is not None:  # a document the editor had open before the episode, touched: its text now
            self._write(episode, opening, at_ms, t_ms, owner)
        until_ms = None if until is None else max(t_ms, until - episode.start_ms)
        self._write(episode, held, at_ms, t_ms, owner, until_ms=until_ms)
        if closes_after:
            self._write(episode, _gone_close(getattr(held, "path", "")), at_ms, t_ms, None)

    def _write(self, episode: OpenEpisode, step: Step, at_ms: int, t_ms: int, owner: object, *,
               until_ms: int | None = None) -> None:
        """Write one step to the episode at `t_ms`; the documents follow what it changes."""
        saved = self._open_docs.saved_digest(step)  # (before the documents follow it)
        step = self._first.mark(step)
        written = episode.write(step, at_ms, t_ms, until_ms=until_ms, saved=saved)
        self._open_docs.note(written, episode.header.position_encoding, owner)
        self._credit(episode, getattr(owner, "client", None))

    def _credit(self, episode: OpenEpisode, editor: ClientInfo | None) -> None:
        """(lock held) Count `editor` among those whose steps the episode records: the first is the header's
        `client` (not one that said hello and sent nothing), and once a second one is among them the header
        names them all (`editors`)."""
        if editor is None or editor in self._editors or len(self._editors) >= MAX_EDITORS:
            return
        self._editors.append(editor)
        if len(self._editors) > 1:
            episode.rewrite_header({"editors": list(self._editors)})
        elif episode.header.client != editor:
            episode.rewrite_header({"client": editor})

    def _record_gap(self, at_ms: object, reason: GapReason, detail: str) -> None:
        at = at_ms if isinstance(at_ms, int) and not isinstance(at_ms, bool) and at_ms >= 0 else self._clock()
        if self.paused_at is None and self.problem is None:
            self._append(at, gap("collector", reason, detail))

    def _open(self, start_ms: int) -> OpenEpisode | None:
        """Start a new episode under the settings as they are now; None while they cannot be used."""
        if self.problem is None:
            self._settings.look()  # finds a problem, never ends one (which records a gap: an episode)
        if self.problem is not None:
            return None
        self._apply_settings()
        episode = self._episode = OpenEpisode.start(
            self.home.ensure(self.home.journals), self.next_episode_id, start_ms,
            workspace=identify(self.root), encoding=self.encoding or "utf-16", client=self.client,
            settings=self.policy.settings)
        self._first = FirstTexts(episode.header.workspace.head_at_start, self._trees)
        self._editors = []
        if self._batching:
            episode.batch()
        log.info("%s: episode %s started", self.root, episode.header.episode_id)
        if self.policy.settings.snapshot == "tracked":
            self._snapshot(episode, start_ms)
        return episode

    def _snapshot(self, episode: OpenEpisode, start_ms: int) -> None:
        """(lock held) The repository at the episode's start, its first step (sources/git/snapshot.py). Not
        followed as the editor's documents: the files are on disk, none is open because of it."""
        taken = take_snapshot(self.root, self.policy)
        episode.write(converted({**taken.step(), "t_ms": 0}), start_ms, 0)
        log.info("%s: snapshot of %d tracked files (%d bytes)", self.root, len(taken.state), taken.bytes)

    def _look_at_settings(self) -> None:
        """(lock held) Read the settings again when their files changed since the last look; once they can
        be used again, record the hole as a `gap` if an episode is open or steps fell in it."""
        hole = self._settings.look()
        if hole is None or (self._episode is None and not hole.dropped):
            return
        detail = f"not recorded while {SETTINGS_FILE} could not be used"
        self._append(hole.since, gap("collector", "other", detail, lost=hole.dropped), until=self._clock())

    def _apply_settings(self) -> None:
        """(lock held, no episode open) Record under the settings last read, when they differ from the
        policy's: the capture sources restart under the new policy (as they do under one made stricter
        during the episode that ended)."""
        wanted = self._settings.wanted
        if self.problem is not None or wanted is None:
            return
        if wanted != self._applied:
            settings, excludes = self._applied = wanted
            retired, self.policy = self.policy, Policy.under(self.root, settings, also_exclude=excludes)
            if retired is not self._watched:
                retired.close()  # no source runs under it
        if self._capture is not None and self._watched is not self.policy:
            watched, self._watched = self._watched, self.policy
            self._capture.switch(self.policy, watched)  # closes what the sources ran under

    def _tighten(self) -> None:
        """(lock held, an episode open) Apply at once what the settings last read make stricter than those
        the episode records under: the episode's header names them, the held file changes are admitted
        again, the capture sources keep running (admission filters what they send)."""
        if self._applied is None or self._episode is None:
            return
        tight = self._settings.stricter_than(self._applied)
        if tight is None:
            return
        self._applied = (tight.settings, tight.excludes)
        retired = self.policy
        self.policy = Policy.under(self.root, tight.settings, also_exclude=tight.excludes)
        if retired is not self._watched:
            retired.close()
        self._held.readmit(lambda step: admit_again(step, self.policy, self._paths))
        self._episode.tighten(tight.settings)
        self.tightened = tuple(dict.fromkeys([*self.tightened, *tight.fields]))
        log.info("%s: stricter settings apply at once: %s", self.root, ", ".join(tight.fields))


def _unsaid_save(change: FileChangeStep) -> SaveStep:
    """The `save` an editor made without telling: its buffer written to disk, seen by the file watcher
    (held HOLD_MS for the editor's own save step, which never came). A server that does not ask for save
    notifications (ruff's) keeps the editor from sending them through the proxy (issue 27, item 8). No
    text: replay writes the buffer, and verify checks it against the hash the watcher read."""
    return SaveStep(t_ms=0, source=change.source, path=change.path, sha256=change.sha256)


def _gone_close(path: str) -> CloseStep:
    """The `close` of a document the episode holds open whose editors all went without closing it."""
    return CloseStep(t_ms=0, source="collector", path=path, reason="editor_gone")


def client_info(client: object, root: Path) -> ClientInfo | None:
    """The editor a hello's `client` names (its name and version), or None when it names none or an invalid
    one (logged)."""
    if not isinstance(client, dict) or not isinstance(client.get("name"), str):
        return None
    try:
        return msgspec.convert({"name": client["name"], "version": client.get("version")}, ClientInfo)
    except msgspec.ValidationError:
        log.warning("%s: ignoring an invalid client info", root)
        return None
