"""What a watcher's view of a file held by the intake (intake/hold.py) waits on, asked of what it holds:
whether it is a write seen half done, whose whole write is held behind it (`half_done`), and whether an
editor's steps may yet explain it (`awaits_editor`, issue 86). Asks only; the intake holds and lets go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from collector.daemon.agent_claims import AgentClaims
from collector.daemon.disk_texts import DiskTexts
from collector.daemon.formats import Formats
from collector.daemon.held_changes import EXPLAIN_MS, HeldChanges
from collector.daemon.held_reloads import HeldReloads
from collector.daemon.open_documents import OpenDocuments
from collector.text.digest import sha256_text
from schemas import steps as kinds


@dataclass(frozen=True)
class HeldViews:
    """The intake's parts these questions read (the same objects, for the intake's life)."""

    held: HeldChanges
    reloads: HeldReloads
    formats: Formats
    claims: AgentClaims
    open_docs: OpenDocuments
    texts: DiskTexts
    clock: Callable[[], int]

    def half_done(self, step: kinds.Step) -> bool:
        """Whether `step`, a watcher's change, is a view of a write seen half done (a file rewritten in place,
        seen truncated or partly written) whose whole write is held behind it: a formatter's, a write over the
        text just saved (formats.py), of another text than the reload held for the file, whose text a later
        held change of the file has; or an editor's save, a strict prefix of a text it saved or holds, the
        file's text other than that on disk, a later change of the file held (content decides, however long
        an agent's shell call that claims every path stays open)."""
        path = getattr(step, "path", "")
        text, now = self.reloads.text(path), self.clock()
        if getattr(step, "text", None) != self.texts.get(path) and self.held.holds_path(path) and \
                self.formats.half_saved(step, self.open_docs.texts(path)):
            return True
        return text is not None and getattr(step, "text", None) != text \
            and self.held.holds_text(path, sha256_text(text)) \
            and self.formats.may_write(step, self.texts.get(path), now) \
            and not self.claims.working_on(path, now)

    def awaits_editor(self, step: kinds.Step, now: int, came: int | None, at_ms: object) -> bool:
        """Whether `step`, a held watcher's view of a file (at `at_ms`), waits for an editor's steps that may
        yet explain it, up to EXPLAIN_MS after it `came` (None: as the hold says). Issue 86: the bridge is
        slower than the watcher (it holds an edit for its origin; more under load). It waits while an editor
        still connected has the document open, the view is neither its text, nor a save's in the window,
        nor the file's on disk, nor a reload's held (the editor reading it in: not its own write), and
        - the document has edits not saved: her save's last edits may be on their way (then the view is her
          save, never another program's change nor an agent's by time); or
        - an agent tool's hunks are in the view over another text than the file's (a change split by its
          text, agent_claims.py): her part's edits and save may be on their way (then her save is recorded
          as she made it, and the agent's write is the rest of the view)."""
        if type(step) is not kinds.FileChangeStep or step.origin is not None or step.text is None \
                or step.change not in ("created", "modified"):
            return False
        editing = self.open_docs.editing(step.path)  # (first: a dict's look-up, the rest only for open ones)
        if editing is None:
            return False
        came = self.held.came(step) if came is None else came
        if came is None or now - came >= EXPLAIN_MS:
            return False
        on_disk = self.texts.get(step.path)
        if step.text == on_disk or self.reloads.text(step.path) == step.text or self.open_docs.holds(step) \
                or self.formats.saved(step):
            return False
        found = self.claims.verdict(at_ms, step, on_disk)
        return found.before is not None if found.content else editing
