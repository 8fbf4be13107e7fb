"""The intake's last stage (admit > hold > write): a step the hold lets go goes into the open episode, as the
documents the editors have open say (open_documents.py): a watcher's write of an open document becomes its
unsaid `save`, a document opened before the episode is opened in it when a step touches it, one whose
editors all left closes. On the way the files' texts on disk (disk_texts.py), the formatter's writes on
save (formats.py), the episode's first texts (head_texts.py) and its editors follow what is written.

The stage never opens an episode: when a step needs one and none is open it yields `EpisodeWanted`, and
whoever drives it (the session, session.py) sends back the open episode, or the one it opened (None: none may
open; the step is dropped). An episode sent that the stage did not know is a new one: none of its files
seen, no editor credited yet. Every method that may write is such a generator (`Writing`); its value is
what it returns. Not thread-safe: the session's lock guards it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from collector.daemon.agent_claims import AgentClaims
from collector.daemon.disk_texts import DiskTexts
from collector.daemon.formats import Formats
from collector.daemon.head_texts import FirstTexts, HeadTrees
from collector.daemon.open_documents import OpenDocuments
from collector.daemon.open_episode import OpenEpisode
from collector.daemon.own_steps import gap
from collector.journal.pending import PendingLog
from schemas import ClientInfo
from schemas import steps as kinds
from schemas.common import PositionEncoding
from schemas.header import MAX_EDITORS

if TYPE_CHECKING:
    from collector.daemon.silent_hooks import SilentHooks

log = logging.getLogger("codetape.collector")


class EpisodeWanted(NamedTuple):
    """The event of a step that needs the open episode, none being known: answer with the open episode,
    or one opened for a step at `at_ms` (None: none may open now)."""

    at_ms: int


Writing = Generator[EpisodeWanted, OpenEpisode | None, None]  # a pass that may write (its value: None)


class Write:
    """The open episode as the intake knows it, and what follows each step written into it."""

    def __init__(self, root: Path, *, clock: Callable[[], int],
                 silent_hooks: SilentHooks | None = None) -> None:
        self.root = root
        self._clock = clock
        self.claims = AgentClaims()  # the files an AI agent's tool calls claim (agent_claims.py)
        self.silent = silent_hooks  # an agent at work whose hook does not run: a gap (silent_hooks.py)
        self.open_docs = OpenDocuments()
        self.texts = DiskTexts()  # each file's text on disk as the episodes know it (disk_texts.py)
        self.formats = Formats()  # the files saved last: a formatter run on save may write them (formats.py)
        self.records = True  # whether steps are recorded now (the session's, set before each pass)
        self.encoding: PositionEncoding | None = None  # what the editors were told (the session's)
        self._trees = HeadTrees(root)
        self._first = FirstTexts(None, self._trees)  # the open episode's files seen (head_texts.py)
        self._editors: list[ClientInfo] = []  # the editors whose steps the open episode records, in order
        self._pending: PendingLog | None = None  # the open episode's held steps, on disk
        self._episode: OpenEpisode | None = None  # the open episode the driver last sent

    def episode(self, at_ms: int) -> Generator[EpisodeWanted, OpenEpisode | None, OpenEpisode | None]:
        """The open episode, asked of the driver (`EpisodeWanted`) when none is known; one it did not know is
        a new one: none of its files seen, no editor credited yet."""
        if self._episode is not None:
            return self._episode
        episode = yield EpisodeWanted(at_ms)
        if episode is not None:
            self._first = FirstTexts(episode.header.workspace.head_at_start, self._trees)
            self._editors = []
            self._pending = None
            self._episode = episode
        return episode

    def pending(self, episode: OpenEpisode) -> PendingLog:
        """The open episode's held steps, on disk (held_reloads.py)."""
        if self._pending is None:
            self._pending = PendingLog(episode.path)
        return self._pending

    def ended(self) -> None:
        """The episode ended: the next step asks for the next one."""
        self._pending = None
        self._episode = None

    def record_gap(self, at_ms: object, reason: kinds.GapReason, detail: str) -> Writing:
        """Record a `gap` from the collector at `at_ms` (now, when it is no valid time), unless nothing is
        recorded now."""
        at = at_ms if isinstance(at_ms, int) and not isinstance(at_ms, bool) and at_ms >= 0 else self._clock()
        if self.records:
            yield from self.append(at, gap("collector", reason, detail))

    def close_gone(self, at_ms: int, path: str) -> Writing:
        """Close in the episode a document whose editors are all gone without closing it."""
        yield from self.append(at_ms, gone_close(path))

    def append(self, at_ms: object, step: kinds.Step, *, until: int | None = None,
               owner: object = None) -> Writing:
        """Append `step`, which happened at `at_ms`, to the open episode (opening one), as the documents the
        editors have open say (a gap's hole lasting until `until`, unix epoch ms)."""
        if not isinstance(at_ms, int) or isinstance(at_ms, bool) or at_ms < 0:
            yield from self.record_gap(None, "malformed_input", f"a {step.kind!r} step without a valid time")
            return
        held = self.open_docs.withhold(step, self.encoding or "utf-16", owner)
        if held is None:
            return  # about documents the episode does not hold
        closes_after = False
        if type(held) is kinds.FileChangeStep and self.open_docs.holds(held):
            # the watcher saw an open document's text written to disk
            if not self.open_docs.unsaid_save(held):
                return  # as it was opened or last saved: the editor's save step said so, or nothing changed
            known = yield from self.episode(at_ms)
            if known is not None and known.is_echo(held, at_ms):
                return  # a late view of a save the episode holds (her buffer that text again): that save
            closes_after = self.open_docs.closes_after(held)  # its editors are gone: then it closes
            held = _unsaid_save(held)
        episode = yield from self.episode(at_ms)
        if episode is None or episode.is_echo(held, at_ms):
            return  # the file watcher saw the editor write what the episode already knows
        t_ms = episode.t_ms(at_ms, self._clock())
        if type(held) is kinds.FileChangeStep and held.origin == "agent":
            self.claims.taken(at_ms, held)  # (its result claims no later write of the file)
        if type(held) is kinds.FileChangeStep and held.origin is None and self.silent is not None:
            for silent in self.silent.gaps(at_ms):  # nobody's write while an agent's hook is silent
                self._write(episode, silent, at_ms, t_ms, None)
        closing = self.open_docs.closing(held)
        if closing is not None:  # another program changed a file whose editors left it open: the disk's now
            self._write(episode, gone_close(closing), at_ms, t_ms, None)
        opening = self.open_docs.opening(held)
        if opening is not None:  # a document the editor had open before the episode, touched: its text now
            self._write(episode, opening, at_ms, t_ms, owner)
        until_ms = None if until is None else max(t_ms, until - episode.start_ms)
        self._write(episode, held, at_ms, t_ms, owner, until_ms=until_ms)
        if closes_after:
            self._write(episode, gone_close(getattr(held, "path", "")), at_ms, t_ms, None)

    def _write(self, episode: OpenEpisode, step: kinds.Step, at_ms: int, t_ms: int, owner: object, *,
               until_ms: int | None = None) -> None:
        """Write one step to the episode at `t_ms`; the documents follow what it changes."""
        saved = self.open_docs.saved_digest(step)  # (before the documents follow it)
        step = self._first.mark(step)
        saved_text = self.open_docs.saved_text(step)
        whole = self.open_docs.reloaded(step) if type(step) is kinds.EditStep else None
        written = episode.write(step, at_ms, t_ms, until_ms=until_ms, saved=saved)
        self.texts.note(written, saved_text)
        self.formats.note(written, self.texts.get(getattr(written, "path", None)), self._clock())
        self.open_docs.note(written, episode.header.position_encoding, owner)
        if whole is not None and type(step) is kinds.EditStep and whole == self.texts.get(step.path):
            self.open_docs.synced(step.path, whole)  # (an editor reading the file in)
        self._credit(episode, getattr(owner, "client", None))

    def _credit(self, episode: OpenEpisode, editor: ClientInfo | None) -> None:
        """Count `editor` among those whose steps the episode records: the first is the header's `client`
        (not one that said hello and sent nothing), and once a second one is among them the header names
        them all (`editors`)."""
        if editor is None or editor in self._editors or len(self._editors) >= MAX_EDITORS:
            return
        self._editors.append(editor)
        if len(self._editors) > 1:
            episode.rewrite_header({"editors": list(self._editors)})
        elif episode.header.client != editor:
            episode.rewrite_header({"client": editor})


def _unsaid_save(change: kinds.FileChangeStep) -> kinds.SaveStep:
    """The `save` an editor made without telling: its buffer written to disk, seen by the file watcher
    (held HOLD_MS for the editor's own save step, which never came). A server that does not ask for save
    notifications (ruff's) keeps the editor from sending them through the proxy (issue 27, item 8). No
    text: replay writes the buffer, and verify checks it against the hash the watcher read."""
    return kinds.SaveStep(t_ms=0, source=change.source, path=change.path, sha256=change.sha256)


def gone_close(path: str) -> kinds.CloseStep:
    """The `close` of a document the episode holds open whose editors all went without closing it."""
    return kinds.CloseStep(t_ms=0, source="collector", path=path, reason="editor_gone")
