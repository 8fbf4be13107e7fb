"""The intake's middle stage (admit > hold > write): what decides which steps are written now, possibly
several, and which wait. It takes a step admitted (admit.py), holds a file change the watcher saw HOLD_MS
(held_changes.py) so that the editor's own steps can explain it first, lets go early the changes an AI
agent's tool call claims (agent_claims.py: whose a change is, by the tool's hunks in its text against the
file's text before it, disk_texts.py), holds an editor's reload of a file an agent may be writing until the
write is recorded (held_reloads.py), asks of a held view of a file what it waits for (held_views.py), and
hands the rest to the write stage (write.py). The documents of a connection gone close after leaving.py's
delay.

Held things are let go by three verbs: `release_held` (the changes that are due, the reloads that may go,
then the documents of the connections gone), the claimed changes within `take` (and the reloads behind
them), and `close_gone_documents` when the episode ends. Each is a pass that may write: a generator of the
write stage's events (write.py `Writing`), driven by the session. Not thread-safe: every method runs with
the session's lock held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

from collector.daemon.held_changes import HeldChanges, Kept
from collector.daemon.held_reloads import BOUND_MS, HeldReloads
from collector.daemon.held_views import HeldViews
from collector.daemon.intake.write import EpisodeWanted, Write, Writing
from collector.daemon.leaving import Leaving
from collector.daemon.open_episode import OpenEpisode
from collector.text.digest import sha256_text
from schemas import steps as kinds

log = logging.getLogger("codetape.collector")


class Taken(NamedTuple):
    """A step taken on to the episode as it came (not held), with its time: the session derives from it."""

    at_ms: int
    step: kinds.Step
    junit: tuple[str, ...]


Taking = Generator[EpisodeWanted, OpenEpisode | None, "Taken | None"]  # `take`: a pass that may write


class Hold:
    """The steps on their way in that wait: the watcher's changes, the editors' reloads, the connections
    gone; the claims and the open documents they are asked of are the write stage's (`write`)."""

    def __init__(self, write: Write, *, clock: Callable[[], int]) -> None:
        self.write = write
        self.root = write.root
        self._clock = clock
        self._held = HeldChanges()
        self._claims = write.claims
        self._silent = write.silent
        self._leaving = Leaving()
        self._open_docs = write.open_docs
        self._texts = write.texts
        self._reloads = HeldReloads()  # an editor's reload of an agent's write, held (held_reloads.py)
        self._formats = write.formats
        self._views = HeldViews(self._held, self._reloads, self._formats, self._claims, self._open_docs,
                                self._texts, clock)  # what a held view of a file waits for (held_views.py)

    def take(self, at_ms: object, kept: kinds.Step, owner: object, *, junit: tuple[str, ...] = (),
             patch: dict[str, Any] | None = None) -> Taking:
        """Hold or append one step admitted (admit.py `Arrival`: the step, and beside it a command's `junit`
        globs, an agent tool's `patch`); returns it when it went on to the episode at once and came with a
        time (None: held, or untimed)."""
        yield from self.release_held(self._clock())
        if type(kept) is kinds.FileChangeStep or (type(kept) is kinds.GitStep and self._held):
            # in order, behind any change already held: a commit of a file written just before it
            # comes after that write (its replay holds what the commit holds)
            self._held.hold(at_ms, kept, self._clock())
            yield from self.release_held(self._clock())
            yield from self._release_claimed(waiting=True)
            return None
        timed = at_ms if isinstance(at_ms, int) and not isinstance(at_ms, bool) else None
        if type(kept) in _EDITOR_STEPS:
            holding = yield from self._hold_reload(timed, kept, owner)
            if holding:
                return None
        if type(kept) is kinds.AgentStep and timed is not None:
            self._claims.note(timed, kept, self._clock(), patch=patch)
        if type(kept) is kinds.AgentStep or type(kept) is kinds.GitStep:
            yield from self._release_claimed(waiting=False)  # an agent's writes before what it did next
        yield from self.write.append(at_ms, kept, owner=owner)
        if type(kept) is kinds.SaveStep and self._held:
            yield from self._release_claimed(waiting=True)  # an agent's write its save no longer splits
        return None if timed is None else Taken(timed, kept, junit)

    @property
    def holding(self) -> int:
        """How many steps are held: watchers' changes waiting for an editor's steps, editors' steps behind a
        reload (held_reloads.py)."""
        return len(self._held) + self._reloads.count()

    def release_held(self, now: int, *, everything: bool = False) -> Writing:
        """Append the held file changes that are due (all of them with `everything`), in order; then close
        the documents of the connections gone."""
        self._formats.expire(now)
        behind = self._behind_reload(now) if self._reloads or self._formats or self._held else None
        for at_ms, step in self._held.due(now, everything=everything, kept=behind):
            yield from self._append_change(at_ms, step)
        yield from self._flush_reloads(now, everything=everything)
        yield from self._let_go(now, everything=everything)

    def readmit(self, admit: Callable[[kinds.Step], kinds.Step | None]) -> None:
        """Admit the held file changes and editors' steps again, under a stricter policy (admit.py)."""
        self._held.readmit(admit)
        self._reloads.readmit(admit)

    def leave(self, now: int, owner: object) -> None:
        """A connection is gone: the documents it had open close for it (Session.release)."""
        self._leaving.left(now, owner)
        self._open_docs.leave(owner)

    def close_gone_documents(self, now: int) -> Writing:
        """Close in the episode that ends the documents edited and left open, their save never seen."""
        for path in self._open_docs.gone():
            yield from self.write.close_gone(now, path)

    def episode_ended(self) -> None:
        """The episode ended: the next one opens the documents again when it touches them."""
        self._open_docs.episode_ended()
        self._reloads.ended()
        self.write.ended()
        if self._silent is not None:
            self._silent.episode_ended()

    def _release_claimed(self, *, waiting: bool) -> Writing:
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
            yield from self._append_change(at_ms, step)
        yield from self._flush_reloads(self._clock())

    def _append_change(self, at_ms: object, step: kinds.Step) -> Writing:
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
                yield from self.write.append(at_ms, formatted)
                yield from self._flush_reloads(self._clock())  # its reload next, before what came after
                return
        explained = self._open_docs.holds(step) or self._formats.saved(step)  # (a late view of a save)
        for part in self._claims.attribute(at_ms, step, self._texts.get(path), explained=explained):
            yield from self.write.append(at_ms, part)

    def _hold_reload(self, at_ms: int | None, step: kinds.Step,
                     owner: object) -> Generator[EpisodeWanted, OpenEpisode | None, bool]:
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
        episode = yield from self.write.episode(at_ms if at_ms is not None else now)
        if episode is None:
            return False
        pending = self.write.pending(episode)
        if text is not None:
            log.info("%s: %s read again while an agent's tool or a formatter on save writes it: held for the "
                     "write", self.root, path)
        self._reloads.hold(pending, episode.writer.next_seq, at_ms, step, owner, now, text=text)
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

    def _flush_reloads(self, now: int, *, everything: bool = False) -> Writing:
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
                yield from self._agent_write_of(held[0].at_ms, path, text)
            for item in held:
                yield from self.write.append(item.at_ms, item.step, owner=item.owner)
                self._reloads.written(item)

    def _agent_write_of(self, at_ms: object, path: str, text: str) -> Writing:
        """The agent's write a reload read in, recorded from the reload's text when the watcher's view of
        it never came (a later write hid it) and its text holds a tool's hunks (agent_claims.py): never by
        time alone (a reload's text may be an editor's own, never on disk)."""
        change = kinds.FileChangeStep(t_ms=0, source="collector", path=path, change="modified", text=text,
                                      sha256=sha256_text(text))
        before = self._texts.get(path)
        if self._claims.verdict(at_ms, change, before).content:
            for part in self._claims.attribute(at_ms, change, before):
                yield from self.write.append(at_ms, part)

    def _let_go(self, now: int, *, everything: bool = False) -> Writing:
        """Close the documents of the connections gone LEAVING_MS ago (all of them with `everything`), once
        the file changes held from before then are recorded against them (leaving.py)."""
        for left_at, owner in self._leaving.due(now, waiting=self._held.came_by, everything=everything):
            closed, closing = self._open_docs.release(owner)
            for path in closing:
                yield from self.write.close_gone(left_at, path)
            if closed:
                log.info("%s: a connection closed: %d documents it had open are closed", self.root, closed)


_EDITOR_STEPS = frozenset((kinds.EditStep, kinds.OpenStep, kinds.CloseStep, kinds.SaveStep, kinds.CursorStep,
                           kinds.DiagnosticsStep, kinds.OfferStep))  # an editor's steps about a document
