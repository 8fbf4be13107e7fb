"""A write to disk of a file the editor has open with nothing unsaved: the editor reads it again.

The replay (workspace.py) keeps an open buffer as the editor last said it was: a change on disk does not
touch it, and the editor's own steps say when it reads the file again (Neovim and Emacs close and open it,
VS Code sends the new text as an edit). Between the two the buffer is *stale*: what the developer sees
next is the file's new text, and the write (an agent's Edit, a `git checkout`, a formatter) is the writer's
action, not the reload's. `Reloads` lets the readers that attribute work (the dataset's `transitions`,
Agent Trace's lines, swe-messages) see it so: from the write on, `text` gives the file's new text for a
stale buffer, and the step that reads exactly that text into the buffer (a close, an open, an edit) is a
reload (`after` says so), which changes nothing they show. A buffer the developer had edited and not saved
when the file was written is not stale: the editor asks, or keeps the developer's text (Neovim's W12,
VS Code's conflict on save, Emacs' revert prompt), and whichever text its next steps hold is the one shown.
A stale buffer edited before the editor read the file again is the developer's text again from that edit.
"""

from __future__ import annotations

from collector.reconstruct.workspace import Workspace
from collector.text.document import Document
from schemas.steps import EditStep, FileChangeStep, Step


class Reloads:
    """The stale buffers of one replay; told of every step before and after the replay applies it."""

    def __init__(self) -> None:
        self._stale: dict[str, str] = {}  # path -> the buffer's text, written over on disk since
        self._written: tuple[str, str | None] | None = None  # (path, its buffer then) of the write applied
        self._reading: tuple[str, str] | None = None  # (path, stale text) of the edit being applied

    def text(self, path: str, workspace: Workspace) -> str | None:
        """The text the developer sees next at `path`: the file's new text while its buffer is stale, else
        the replay's (its buffer, else the disk)."""
        stale = self._stale.get(path)
        if stale is not None:
            if path in workspace.buffers and workspace.text(path) == stale:
                return workspace.disk.get(path)
            del self._stale[path]  # (read again, or edited: the buffer is what is shown)
        return workspace.text(path)

    def stale(self, path: str) -> bool:
        """Whether `path`'s buffer may be stale (an edit of it may be the editor reading the write in)."""
        return path in self._stale

    def reads(self, step: EditStep, workspace: Workspace) -> bool:
        """Whether an edit, before the replay applies it, reads the text written on disk into a stale
        buffer (VS Code's reload): its changes make the buffer exactly the file's new text. Such an edit is
        the editor's, no edit of the developer's (the dataset's `edits` leave it out)."""
        stale = self._stale.get(step.path)
        disk = workspace.disk.get(step.path)
        return stale is not None and disk is not None and workspace.text(step.path) == stale and \
            edited(stale, step, workspace) == disk

    def before(self, step: Step, workspace: Workspace) -> None:
        """See `step` before the replay applies it."""
        self._written = self._reading = None
        if type(step) is FileChangeStep and step.change in ("created", "modified", "renamed"):
            path = step.new_path or step.path
            if path in workspace.buffers:  # (a buffer already stale stays so: the writer wrote again)
                shown, stale = workspace.text(path), self._stale.get(path)
                clean = shown == workspace.disk.get(path) or (stale is not None and shown == stale)
                self._written = (path, shown if clean else None)
        elif type(step) is EditStep and step.path in self._stale:
            stale = self._stale[step.path]
            if workspace.text(step.path) == stale:
                self._reading = (step.path, stale)

    def after(self, step: Step, workspace: Workspace) -> bool:
        """See `step` once applied; True when it was a reload: it read into a stale buffer exactly the
        text written on disk (its own change, for the readers, is none)."""
        written, self._written = self._written, None
        reading, self._reading = self._reading, None
        if written is not None:
            path, shown = written
            now = workspace.disk.get(path)
            if shown is not None and path in workspace.buffers and now is not None and now != shown:
                self._stale[path] = shown
            else:
                self._stale.pop(path, None)  # (unsaved edits, or nothing written: the buffer is shown)
            return False
        paths = [reading[0]] if reading is not None else \
            [getattr(step, "path", "")] if type(step) is not EditStep else []
        for path in paths:
            if path not in self._stale:
                continue
            stale = self._stale[path]
            disk = workspace.disk.get(path)
            shown = workspace.text(path)
            if shown == stale:
                if disk == stale:  # the buffer saved over the write: the developer's text won
                    del self._stale[path]
                continue
            del self._stale[path]
            return shown == disk  # the written text read in, else the buffer edited first
        return False


def edited(text: str, step: EditStep, workspace: Workspace) -> str:
    """The text `step`'s changes make of `text` (a copy: the replay's buffer is left as it is; positions
    past the end clamp)."""
    doc = Document(text, workspace.encoding)
    for change in step.changes:
        doc.apply(change.range, change.text)
    return doc.text
