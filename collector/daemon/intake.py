"""A step's way into the open episode, from the map that came to the journal frame: `take` converts it
(admission.py's `arrive`), holds a file change the watcher saw HOLD_MS (`HeldChanges`) so that the editor's
own steps can explain it first, lets go early the changes an AI agent's tool call claims (agent_claims.py:
whose a change is, by the tool's hunks in its text against the file's text before it, disk_texts.py),
holds an editor's reload of a file an agent may be writing until the write is recorded (held_reloads.py),
and appends the rest to the open episode, opening one when none is. On the way the documents the editors
have open follow what is written (open_documents.py): a watcher's write of an open document becomes its
unsaid `save`, and the documents of a connection gone close after leaving.py's delay.

Held things are let go by three verbs: `release_held` (the changes that are due, the reloads that may go,
then the documents of the connections gone), the claimed changes within `take` (and the reloads behind
them), and `close_gone_documents` when the episode ends.

The session (session.py) owns the episode's lifecycle and its settings; the intake asks it for the episode a
step goes into, its encoding and whether it records (`Lifecycle`). Not thread-safe: every method runs with
the session's lock held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from collector.daemon.admission import CleanPaths, HeldChanges, Kept, admit_again, arrive, gap
from collector.daemon.agent_claims import AgentClaims
from collector.daemon.disk_texts import DiskTexts
from collector.daemon.formats import Formats
from collector.daemon.head_texts import FirstTexts, HeadTrees
from collector.daemon.held_reloads import BOUND_MS, HeldReloads
from collector.daemon.held_views import HeldViews
from collector.daemon.leaving import Leaving
from collector.daemon.open_documents import OpenDocuments
from collector.daemon.open_episode import OpenEpisode
from collector.journal.pending import PendingLog
from collector.policy.recording import Policy
from collector.text.digest import sha256_text
from schemas import ClientInfo
from schemas import steps as kinds
from schemas.common import PositionEncoding
from schemas.header import MAX_EDITORS

if TYPE_CHECKING:
    from collector.daemon.silent_hooks import SilentHooks

log = logging.getLogger("codetape.collector")


class Lifecycle(Protocol):
    """What the intake asks of the session whose steps it takes in (session.py)."""

    @property
    def policy(self) -> Policy:
        """The recording policy the steps are admitted under."""

    @property
    def encoding(self) -> PositionEncoding | None:
        """The position encoding the editors were told (None: none yet)."""

    @property
    def records_now(self) -> bool:
        """Whether steps are recorded now: not paused, and the settings can be used."""

    def episode_for(self, at_ms: int) -> OpenEpisode | None:
        """The open episode, or one opened for a step at `at_ms` (None while the settings cannot be used)."""


class Taken(NamedTuple):
    """A step taken on to the episode as it came (not held), with its time: the session derives from it."""

    at_ms: int
    step: kinds.Step
    junit: tuple[str, ...]


class Intake:
    """What a session holds of the steps on their way in: the hold, the claims, the open documents."""

    def __init__(self, root: Path, session: Lifecycle, *, clock: Callable[[], int],
                 silent_hooks: SilentHooks | None = None) -> None:
        self.root = root
        self._session = session
        self._clock = clock
        self._held = HeldChanges()
        self._claims = AgentClaims()  # the files an AI agent's tool calls claim (agent_claims.py)
        self._silent = silent_hooks  # an agent at work whose hook does not run: a gap (silent_hooks.py)
        self._leaving = Leaving()
        self._open_docs = OpenDocuments()
        self._paths = CleanPaths()  # the root never changes, so neither do a path's clean form and problem
        self._trees = HeadTrees(root)
        self._first = FirstTexts(None, self._trees)  # the open episode's files seen (head_texts.py)
        self._editors: list[ClientInfo] = []  # the editors whose steps the open episode records, in order
        self._texts = DiskTexts()  # each file's text on disk as the episodes know it (disk_texts.py)
        self._reloads = HeldReloads()  # an editor's reload of an agent's write, held (held_reloads.py)
        self._formats = Formats()  # the files saved last: a formatter run on save may write them (formats.py)
        self._pending: PendingLog | None = None  # the open episode's held steps, on disk
        self._views = HeldViews(self._held, self._reloads, self._formats, self._claims, self._open_docs,
                                self._texts, clock)  # what a held view of a file waits for (held_views.py)

    def take(self, at_ms: object, data: dict[str, Any] | kinds.Step, source: str,
             owner: object) -> Taken | None:
        """(lock held) Admit one step that came (a map, or a `Step` the socket decoded) and hold or append
        it; returns it
        when it went on to the episode at once and came with a time (None: dropped, held, or untimed)."""
        arrival = arrive(data, source, self._session.policy, self._paths)
        if arrival is None:
            return None
        kept = arrival.step
        self.release_held(self._clock())
        if type(kept) is kinds.FileChangeStep or (type(kept) is kinds.GitStep and self._held):
            # in order, behind any change already held: a commit of a file written just before it
            # comes after that write (its replay holds what the commit holds)
            self._held.hold(at_ms, kept, self._clock())
            self.release_held(self._clock())
            self._release_claimed(waiting=True)
            return None
        timed = at_ms if isinstance(at_ms, int) and not isinstance(at_ms, bool) else None
        if type(kept) in _EDITOR_STEPS and self._hold_reload(timed, kept, owner):
            return None
        if type(kept) is kinds.AgentStep and timed is not None:
            self._claims.note(timed, kept, self._clock(), patch=arrival.patch)
        if type(kept) is kinds.AgentStep or type(kept) is kinds.GitStep:
            self._release_claimed(waiting=False)  # an agent's writes before what it (or git) did next
        self.append(at_ms, kept, owner=owner)
        if type(kept) is kinds.SaveStep and self._held:
            self._release_claimed(waiting=True)  # an agent's write its save no longer splits (held_views.py)
        return None if timed is None else Taken(timed, kept, arrival.junit)

    @property
    def holding(self) -> int:
        """(lock held) How many steps are held: watchers' changes waiting for an editor's steps, editors'
        steps behind a reload (held_reloads.py)."""
        return len(self._held) + self._reloads.count()

    def record_gap(self, at_ms: object, reason: kinds.GapReason, detail: str) -> None:
        """(lock held) Record a `gap` from the collector at `at_ms` (now, when it is no valid time), unless
        nothing is recorded now."""
        at = at_ms if isinstance(at_ms, int) and not isinstance(at_ms, bool) and at_ms >= 0 else self._clock()
        if self._session.records_now:
            self.append(at, gap("collector", reason, detail))

    def release_held(self, now: int, *, everything: bool = False) -> None:
        """(lock held) Append the held file changes that are due (all of them with `everything`), in order;
        then close the documents of the connections gone."""
        self._formats.expire(now)
        behind = self._behind_reload(now) if self._reloads or self._formats or self._held else None
        for at_ms, step in self._held.due(now, everything=everything, kept=behind):
            self._append_change(at_ms, step)
        self._flush_reloads(now, everything=everything)
        self._let_go(now, everything=everything)

    def readmit(self) -> None:
        """(lock held) Admit the held file changes and editors' steps again, under the stricter policy."""
        policy = self._session.policy
        self._held.readmit(lambda step: admit_again(step, policy, self._paths))
        self._reloads.readmit(lambda step: admit_again(step, policy, self._paths))

    def leave(self, now: int, owner: object) -> None:
        """(lock held) A connection is gone: the documents it had open close for it (Session.release)."""
        self._leaving.left(now, owner)
        self._open_docs.leave(owner)

    def episode_started(self, episode: OpenEpisode) -> None:
        """(lock held) A new episode is open: none of its files seen, no editor credited yet."""
        self._first = FirstTexts(episode.header.workspace.head_at_start, self._trees)
        self._editors = []
        self._pending = None

    def close_gone_documents(self, now: int) -> None:
        """(lock held) Close in the episode that ends the documents edited and left open, their save never
        seen."""
        for path in self._open_docs.gone():
            self._close_gone(now, path)

    def episode_ended(self) -> None:
        """(lock held) The episode ended: the next one opens the documents again when it touches them."""
        self._open_docs.episode_ended()
        self._reloads.ended()
        self._pending = None
        if self._silent is not None:
            self._silent.episode_ended()

    def _release_claimed(self, *, waiting: bool) -> None:
        """Append at once the held file changes an agent's tool call claims (agent_claims.py): no editor
        save step is to come for them, and waiting HOLD_MS would put them after what the agent did next
        (its next tool call, a commit), so that the episode's commit would not hold them. `waiting`:
        one only a tool call still running claims stays held until its result (which may say what the
        tool changed), the agent's next step, or HOLD_MS. The changes held before a claimed one on its paths
        go with it (HeldChanges.take): a temporary file's creation before its claimed rename."""
        now = self._clock()

        def claimed(at_ms: object, step: kinds.Step) -> bool:
            if self._views.awaits_editor(step, now, None, at_ms):
                return False  # the editor's steps may yet explain it: they come first
            path = getattr(step, "path", None)
            explained = self._open_docs.may_save(step)  # the editor's save may yet explain it: wait
            return self._claims.claimed(at_ms, step, settled=waiting, before=self._texts.get(path),
                                        explained=explained)

        for at_ms, step in self._held.take(claimed):
            self._append_change(at_ms, step)
        self._flush_reloads(self._clock())

    def _append_change(self, at_ms: object, step: kinds.Step) -> None:
        """Append a held watcher's change as its claims say whose it is (agent_claims.py): an editor's
        save explains one its text equals the document's; a change split by its text is two."""
        path = getattr(step, "path", None)
        if self._views.half_done(step):
            return  # a write seen half done (a formatter's, a save's): its whole write is held behind it
        if self._reloads.text(path or "") == getattr(step, "text", None) and \
                self._formats.may_write(step, self._texts.get(path), self._clock()) and \
                not self._claims.working_on(path or "", self._clock()):  # (an agent's write is the agent's)
            assert type(step) is kinds.FileChangeStep
            formatted = self._formats.formatted(step)  # a formatter's write on save, its reload held
            if formatted is not None:
                log.info("%s: %s written by a formatter on save, then read again", self.root, path)
                self.append(at_ms, formatted)
                self._flush_reloads(self._clock())  # its reload next, before what came after the write
                return
        explained = self._open_docs.holds(step) or self._formats.saved(step)  # (a late view of a save)
        for part in self._claims.attribute(at_ms, step, self._texts.get(path), explained=explained):
            self.append(at_ms, part)

    def _hold_reload(self, at_ms: int | None, step: kinds.Step, owner: object) -> bool:
        """Hold `step`, an editor's, when it reloads a file an agent's call may be writing, or its document
        has a reload held (held_reloads.py); False: it goes on."""
        path = getattr(step, "path", "")
        text = None
        if not self._reloads.holds(path):
            text = self._open_docs.reloaded(step)
            on_disk = self._texts.get(path)
            if text is None or text == on_disk or not (
                    self._claims.working_on(path, self._clock())
                    or self._formats.may_reload(path, text, on_disk, self._clock())):
                return False
        now = self._clock()
        episode = self._session.episode_for(at_ms if at_ms is not None else now)
        if episode is None:
            return False
        if self._pending is None:
            self._pending = PendingLog(episode.path)
        if text is not None:
            log.info("%s: %s read again while an agent's tool or a formatter on save writes it: held for the "
                     "write", self.root, path)
        self._reloads.hold(self._pending, episode.writer.next_seq, at_ms, step, owner, now, text=text)
        return True

    def _behind_reload(self, now: int) -> Kept:
        """Whether a held watcher's change waits past HOLD_MS: for an editor's steps that may explain it
        (held_views.py `awaits_editor`); behind a held reload of its file: one of another text than the
        reload's and than the file's on disk (the developer's save after it; not the watcher's view of the
        save before it), until the reload goes; or for a reload: a formatter's write of a file just saved,
        until an editor's reload of its text is held (formats.py)."""
        def behind(step: kinds.Step, came: int, at_ms: object) -> bool:
            if type(step) is not kinds.FileChangeStep:
                return False
            if not (self._reloads or self._formats):
                return self._views.awaits_editor(step, now, came, at_ms)
            text, on_disk = self._reloads.text(step.path), self._texts.get(step.path)
            if self._views.half_done(step):
                return False  # (let go, to be skipped: `_append_change`)
            if self._views.awaits_editor(step, now, came, at_ms):
                return True
            if text is None:
                return self._formats.may_write(step, on_disk, now)
            return step.sha256 != sha256_text(text) and step.text != on_disk \
                and now - self._reloads.came(step.path) < BOUND_MS
        return behind

    def _flush_reloads(self, now: int, *, everything: bool = False) -> None:
        """Write the held reloads that may go (held_reloads.py), each with the steps behind it."""
        for path in self._reloads.paths():
            text = self._reloads.text(path)
            if not everything and self._texts.get(path) != text and not self._reloads.saved(path):
                if self._held.holds_text(path, sha256_text(text or "")):
                    continue  # the watcher's view of the write is held: it goes first
                if now - self._reloads.came(path) < BOUND_MS and self._claims.working_on(path, now):
                    continue
                if self._formats.waits(path, now):
                    continue  # a formatter's write just after a save: its watcher's view may yet come
            held = self._reloads.take(path)
            if held and text is not None and self._texts.get(path) != text:
                self._agent_write_of(held[0].at_ms, path, text)
            for item in held:
                self.append(item.at_ms, item.step, owner=item.owner)
                self._reloads.written(item)

    def _agent_write_of(self, at_ms: object, path: str, text: str) -> None:
        """The agent's write a reload read in, recorded from the reload's text when the watcher's view of
        it never came (a later write hid it) and its text holds a tool's hunks (agent_claims.py): never by
        time alone (a reload's text may be an editor's own, never on disk)."""
        change = kinds.FileChangeStep(t_ms=0, source="collector", path=path, change="modified", text=text,
                                      sha256=sha256_text(text))
        before = self._texts.get(path)
        if self._claims.verdict(at_ms, change, before).content:
            for part in self._claims.attribute(at_ms, change, before):
                self.append(at_ms, part)

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
        self.append(at_ms, _gone_close(path))

    def append(self, at_ms: object, step: kinds.Step, *, until: int | None = None,
               owner: object = None) -> None:
        """(lock held) Append `step`, which happened at `at_ms`, to the open episode (opening one), as the
        documents the editors have open say (a gap's hole lasting until `until`, unix epoch ms)."""
        if not isinstance(at_ms, int) or isinstance(at_ms, bool) or at_ms < 0:
            self.record_gap(None, "malformed_input", f"a {step.kind!r} step without a valid time")
            return
        held = self._open_docs.withhold(step, self._session.encoding or "utf-16", owner)
        if held is None:
            return  # about documents the episode does not hold
        closes_after = False
        if type(held) is kinds.FileChangeStep and self._open_docs.holds(held):
            # the watcher saw an open document's text written to disk
            if not self._open_docs.unsaid_save(held):
                return  # as it was opened or last saved: the editor's save step said so, or nothing changed
            known = self._session.episode_for(at_ms)
            if known is not None and known.is_echo(held, at_ms):
                return  # a late view of a save the episode holds (her buffer that text again): that save
            closes_after = self._open_docs.closes_after(held)  # its editors are gone: then it closes
            held = _unsaid_save(held)
        episode = self._session.episode_for(at_ms)
        if episode is None or episode.is_echo(held, at_ms):
            return  # the file watcher saw the editor write what the episode already knows
        t_ms = episode.t_ms(at_ms, self._clock())
        if type(held) is kinds.FileChangeStep and held.origin == "agent":
            self._claims.taken(at_ms, held)  # (its result claims no later write of the file)
        if type(held) is kinds.FileChangeStep and held.origin is None and self._silent is not None:
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

    def _write(self, episode: OpenEpisode, step: kinds.Step, at_ms: int, t_ms: int, owner: object, *,
               until_ms: int | None = None) -> None:
        """Write one step to the episode at `t_ms`; the documents follow what it changes."""
        saved = self._open_docs.saved_digest(step)  # (before the documents follow it)
        step = self._first.mark(step)
        saved_text = self._open_docs.saved_text(step)
        whole = self._open_docs.reloaded(step) if type(step) is kinds.EditStep else None
        written = episode.write(step, at_ms, t_ms, until_ms=until_ms, saved=saved)
        self._texts.note(written, saved_text)
        self._formats.note(written, self._texts.get(getattr(written, "path", None)), self._clock())
        self._open_docs.note(written, episode.header.position_encoding, owner)
        if whole is not None and type(step) is kinds.EditStep and whole == self._texts.get(step.path):
            self._open_docs.synced(step.path, whole)  # (an editor reading the file in)
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


_EDITOR_STEPS = frozenset((kinds.EditStep, kinds.OpenStep, kinds.CloseStep, kinds.SaveStep, kinds.CursorStep,
                           kinds.DiagnosticsStep, kinds.OfferStep))  # an editor's steps about a document


def _unsaid_save(change: kinds.FileChangeStep) -> kinds.SaveStep:
    """The `save` an editor made without telling: its buffer written to disk, seen by the file watcher
    (held HOLD_MS for the editor's own save step, which never came). A server that does not ask for save
    notifications (ruff's) keeps the editor from sending them through the proxy (issue 27, item 8). No
    text: replay writes the buffer, and verify checks it against the hash the watcher read."""
    return kinds.SaveStep(t_ms=0, source=change.source, path=change.path, sha256=change.sha256)


def _gone_close(path: str) -> kinds.CloseStep:
    """The `close` of a document the episode holds open whose editors all went without closing it."""
    return kinds.CloseStep(t_ms=0, source="collector", path=path, reason="editor_gone")
