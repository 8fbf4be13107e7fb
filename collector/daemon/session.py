"""One recording session per opted-in workspace: one clock, one journal per episode, episodes come and go.

Every source of the workspace (bridges, the pytest plugin, the shell hook, the watchers' threads) feeds
`add`. Thread-safe: one lock orders steps, so `t_ms` never decreases. The session keeps the episode's
lifecycle (it opens with the first step recorded, ends at `detach`, is idle, paused and resumed) and the
settings it records under. A step's way in is one pass of the intake's stages (intake/: admit, hold, write)
under the session's lock: the session drives each pass and answers the write stage's `EpisodeWanted` with
the episode it owns or opens (`_run`); how the open episode writes a step (its journal, its times, the
schema's check) is open_episode.py; the editors' hellos are hellos.py.

The session looks at `.codetape.toml` (and what the user accepted of it, policy/effective.py) again a
few times a second and before every request that records (settings_watch.py): while it cannot be used
(invalid, gone, no longer the user's alone) nothing is recorded, `problem` says why, and the steps that
came are counted into a `gap` (reason `other`) once it can be used again. New settings apply when no
episode is open, else with the next episode (its header names them), but for what they make stricter
(an exclusion, a channel removed, a smaller `max_file_bytes`, a mandatory exclusion of the sharing
policy): that applies at once, to the steps admitted from then on (file changes still held among them),
the journal's header names it, the seal drops what it excludes from the steps before
(collector/seal/in_force.py), and `status` says so (`tightened`) until the episode ends. The capture
sources keep running as they are: admission filters what they send.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from collector.daemon.capture import Capture, StartWatchers
from collector.daemon.hellos import Hellos
from collector.daemon.intake.admit import Admit, is_step, own_state
from collector.daemon.intake.hold import Hold
from collector.daemon.intake.write import EpisodeWanted, Write
from collector.daemon.junit_runs import JUnitRuns
from collector.daemon.open_episode import OpenEpisode
from collector.daemon.own_steps import converted, gap
from collector.daemon.paused import PausedWorkspaces
from collector.daemon.settings_watch import SettingsWatch, Wanted
from collector.errors import CodetapeError
from collector.home import Home
from collector.journal import JournalWriter
from collector.policy.recording import Policy
from collector.sources.git.snapshot import take_snapshot
from collector.workspace.identity import identify
from schemas.common import PositionEncoding
from schemas.settings import SETTINGS_FILE, WorkspaceSettings
from schemas.steps import CommandStep, Step, TestRunStep

if TYPE_CHECKING:
    from collector.daemon.silent_hooks import SilentHooks

log = logging.getLogger("codetape.collector")
_NOTHING = WorkspaceSettings(channels=[])  # the policy until the settings were read (nothing is admitted)
_T = TypeVar("_T")


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
        self._hellos = Hellos(root)  # the first editor's name, the position encoding the editors are told
        self.next_episode_id = uuid.uuid4()
        self._clock = clock
        self._lock = threading.RLock()
        self._episode: OpenEpisode | None = None
        self._batching = False  # add_many: the open episode keeps its steps until the batch is over
        self._dropped_while_paused = 0
        self._admit = Admit()  # a step's way in: admit > hold > write (intake/)
        self._write = Write(root, clock=clock, silent_hooks=silent_hooks)
        self._hold = Hold(self._write, clock=clock)
        self._reports = JUnitRuns(root, lambda: self.policy, self._add_derived)
        self._capture = (Capture(root, start_watchers, self.emit, clock=clock)
                         if start_watchers is not None else None)
        self.check_settings()

    @property
    def problem(self) -> str | None:
        """Why nothing is recorded now: the settings cannot be used (None: they can)."""
        return self._settings.problem

    @property
    def records_now(self) -> bool:
        """Whether steps are recorded now: not paused, and the settings can be used."""
        return self.paused_at is None and self.problem is None

    @property
    def encoding(self) -> PositionEncoding | None:
        """The position encoding the editors were told (None: none yet)."""
        return self._hellos.encoding

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
        """Remember the first client info and position encoding offered (hellos.py); returns the session's
        encoding."""
        with self._lock:
            return self._hellos.hello(client, position_encoding, self._episode)

    def add(self, at_ms: object, step: object, *, source: str = "collector", owner: object = None) -> None:
        """Record one step (a map, or a `Step` the socket decoded) that happened at `at_ms` (unix epoch ms),
        or drop it as the policy says; `owner` is the connection that sent it (the documents it opens are
        open while it is connected)."""
        with self._lock:
            if not isinstance(step, dict) and not is_step(step):
                self._run(self._write.record_gap(at_ms, "malformed_input", "a step that is not a map"))
                return
            if self.paused_at is not None:
                self._dropped_while_paused += 1
                return
            if self.problem is not None:
                self._settings.dropped()
                return
            arrival = self._admit(step, source, self.policy)
            if arrival is None:
                return
            taken = self._run(self._hold.take(at_ms, arrival.step, owner, junit=arrival.junit,
                                              patch=arrival.patch))
            if taken is not None:
                self._derive(*taken)

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
            self._run(self._hold.release_held(self._clock()))
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
            hole = gap("collector", "paused", "recording was paused", lost=dropped)
            self._run(self._write.append(since, hole, until=now))
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
            self._hold.leave(self._clock(), owner)

    def detach(self) -> Path | None:
        """End the current episode: close its journal and return its path for sealing (None: none open).
        The file changes still held are recorded first, and when nothing else was they open the episode: a
        file written and committed just before a seal is in it, not left for the next one."""
        with self._lock:
            now = self._clock()
            self._run(self._hold.release_held(now, everything=True))
            if self._episode is not None:
                self._run(self._hold.close_gone_documents(now))
            episode, self._episode = self._episode, None
            if episode is None:
                return None
            self.next_episode_id = uuid.uuid4()
            self.tightened = ()
            self._hold.episode_ended()
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

    @property
    def has_episode(self) -> bool:
        """Whether an episode is open (recorded into, not sealed yet)."""
        return self._episode is not None

    def status(self) -> dict[str, Any]:
        with self._lock:
            episode = self._episode
            return {
                "root": str(self.root), "recording": self.problem is None, "problem": self.problem,
                "settings_note": self.settings_note, "withheld": list(self.withheld),
                "tightened": list(self.tightened), "scope": self._settings.scope,
                "paused": self.paused_at is not None,
                "episode": str(episode.header.episode_id) if episode else None,
                "steps": episode.steps if episode else 0, "bytes": episode.size() if episode else 0,
                "started_at": episode.header.started_at.isoformat() if episode else None,
                "capture": self._capture.running if self._capture is not None else [],
                "capture_stopped": self._capture.stopped if self._capture is not None else {},
                "holding": self._hold.holding,
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

    def _run(self, steps: Generator[EpisodeWanted, OpenEpisode | None, _T]) -> _T:
        """(lock held) Drive a pass of the intake (intake/), returning its value: each `EpisodeWanted` it
        yields is answered with the open episode, or one opened for it (None: the settings cannot be used)."""
        self._write.records, self._write.encoding = self.records_now, self.encoding
        try:
            wanted = next(steps)
            while True:
                episode = self._episode or self._open(min(wanted.at_ms, self._clock()))
                self._write.records = self.records_now  # (opening looks at the settings: a problem found)
                wanted = steps.send(episode)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def _open(self, start_ms: int) -> OpenEpisode | None:
        """Start a new episode under the settings as they are now; None while they cannot be used."""
        if self.problem is None:
            self._settings.look()  # finds a problem, never ends one (which records a gap: an episode)
        if self.problem is not None:
            return None
        self._apply_settings()
        episode = self._episode = OpenEpisode.start(
            self.home.ensure(self.home.journals), self.next_episode_id, start_ms,
            workspace=identify(self.root), encoding=self.encoding or "utf-16", client=self._hellos.client,
            settings=self.policy.settings)
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
        missed = gap("collector", "other", detail, lost=hole.dropped)
        self._run(self._write.append(hole.since, missed, until=self._clock()))

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
        self._hold.readmit(self._admit.again(self.policy))
        self._episode.tighten(tight.settings)
        self.tightened = tuple(dict.fromkeys([*self.tightened, *tight.fields]))
        log.info("%s: stricter settings apply at once: %s", self.root, ", ".join(tight.fields))

