"""A formatter the editor runs on save outside its language server, writing the file it just saved (issue 90).

A save hook (Neovim's `BufWritePost` running `ruff format`, an editor's "run on save" task) writes the file
the editor has just saved; the editor then reads it in (Neovim closes and opens the document, VS Code sends
its new text as one change). Left alone, the watcher's view of that write would be a program's, taking the
contributor of every line between the first and the last it changed, and the reload would say nothing.

So it is decided by content, whatever order the three come in: a watcher's change of a file an editor saved
less than SAVE_MS ago, made over the text that save put on disk (the episode knows the file's text on disk
to be the save's), whose new text an editor then reads into the document, and that no AI agent's tool call
may be writing (agent_claims.py: then it is the agent's), is the formatter's: it is recorded
just before that reload as a `file_change` of origin `format`, evidence `collector:saved then reloaded`, its
`changed_lines` the lines it changed (the line diff of the saved text and its own: linediff.line_runs),
which Agent Trace gives to `human` and no other (collector/export/authors.py).

The intake (intake/hold.py) holds the two sides for each other: the watcher's view of such a change stays held
(beyond HOLD_MS) until a reload of its text is held, or SAVE_MS after the save; the editor's reload of a
text other than the saved one stays held (held_reloads.py) until the watcher's view of it is recorded, or
SAVE_MS after the save. A formatter rewriting the file in place may be seen half done first (truncated,
partly written): such a view, of a text just saved, is skipped when a later view held of the file has the
reload's text. What is decided without the other side goes on as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from collector.text.linediff import line_runs
from schemas import steps as kinds
from schemas.steps.file_change import MAX_RUNS

SAVE_MS = 5000  # how long after a save the formatter's write and the editor's reload of it may come
DETAIL = "collector:saved then reloaded"
LIMIT = 256  # saves remembered (the oldest forgotten first)


ECHOES = 16  # the texts of a file's saves in the window remembered: a watcher's late view of one is its echo


@dataclass(frozen=True, slots=True)
class _Saved:
    text: str  # what the save put on disk
    came: int  # when it was written (the daemon's clock)
    texts: tuple[str, ...] = ()  # what this and the saves before it in the window put there, the last last


class Formats:
    """The files the editors saved last, with the text each save put on disk."""

    def __init__(self) -> None:
        self._saved: dict[str, _Saved] = {}

    def __bool__(self) -> bool:
        return bool(self._saved)

    def expire(self, now: int) -> None:
        """Forget the saves made SAVE_MS ago or more."""
        while self._saved and now - next(iter(self._saved.values())).came >= SAVE_MS:
            del self._saved[next(iter(self._saved))]

    def note(self, step: kinds.Step, on_disk: str | None, now: int) -> None:
        """Learn from a step written: an editor's save (`on_disk`: the text it put there) starts the window
        in which a formatter may write its file; any other write of the file on disk ends it."""
        if type(step) is kinds.SaveStep and on_disk is not None:
            before = self._saved.pop(step.path, None)
            earlier = before.texts if before is not None and now - before.came < SAVE_MS else ()
            self._saved[step.path] = _Saved(on_disk, now, (*earlier, on_disk)[-ECHOES:])
            while len(self._saved) > LIMIT:
                del self._saved[next(iter(self._saved))]
        elif type(step) is kinds.FileChangeStep:
            self._saved.pop(step.path, None)
            if step.new_path is not None:
                self._saved.pop(step.new_path, None)

    def waits(self, path: str, now: int) -> bool:
        """Whether `path` was saved less than SAVE_MS ago: a formatter's write or its reload may yet come."""
        saved = self._saved.get(path)
        return saved is not None and now - saved.came < SAVE_MS

    def may_write(self, step: kinds.Step, on_disk: str | None, now: int) -> bool:
        """Whether `step`, a watcher's change, may be a formatter's write of a file just saved: the file's
        text on disk is the save's, and it writes another, which no save in the window wrote (a late view of
        an earlier save, after the developer saved again, is that save's echo, never a formatter's)."""
        if type(step) is not kinds.FileChangeStep or step.change != "modified" or step.text is None \
                or step.origin is not None:
            return False
        saved = self._saved.get(step.path)
        return saved is not None and now - saved.came < SAVE_MS and on_disk == saved.text \
            and step.text not in saved.texts and step.text != saved.text

    def saved(self, step: kinds.Step) -> bool:
        """Whether `step`, a watcher's change, has the text a save in the window put on disk: its view."""
        saved = self._saved.get(getattr(step, "path", ""))
        return saved is not None and getattr(step, "text", None) in saved.texts

    def half_saved(self, step: kinds.Step, texts: tuple[str, ...]) -> bool:
        """Whether `step`, a watcher's change, may show a save seen half written (the file truncated and
        written again in place, as Neovim writes it): its text a strict prefix of a text a save in the
        window put on disk, or of `texts` (the document's, its save maybe still on its way)."""
        if type(step) is not kinds.FileChangeStep or step.text is None or step.origin is not None \
                or step.change not in ("created", "modified"):
            return False
        saved = self._saved.get(step.path)
        known = (*(saved.texts if saved is not None else ()), *texts)
        return any(len(step.text) < len(text) and text.startswith(step.text) for text in known)

    def may_reload(self, path: str, text: str, on_disk: str | None, now: int) -> bool:
        """Whether an editor's reload of `text` may read in a formatter's write of a file just saved, which
        the watcher's view has not yet shown (the file's text on disk is still the save's)."""
        saved = self._saved.get(path)
        return saved is not None and now - saved.came < SAVE_MS and on_disk == saved.text \
            and text != saved.text

    def formatted(self, step: kinds.FileChangeStep) -> kinds.FileChangeStep | None:
        """`step` (a change `may_write` took, whose text an editor reloads) as the formatter's: origin
        `format`, the lines it changed; None when it changed more runs of lines than a step holds."""
        saved = self._saved.pop(step.path, None)
        if saved is None or step.text is None:
            return None
        runs = line_runs(saved.text, step.text)
        if len(runs) > MAX_RUNS:
            return None
        return msgspec.structs.replace(step, origin="format", origin_detail=DETAIL,
                                       changed_lines=[list(run) for run in runs])
