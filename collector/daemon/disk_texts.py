"""Each file's text on disk as the episodes recorded it, so a watcher's change can be read against the text
before it (agent_claims.py: which of its lines a tool's hunks explain).

Learned from what is written: a file change's text (a rename moves it, a deletion or a text not kept
forgets it), a save's text (else the document's it saved), and an editor's `open` of a file not known yet
(an editor opens the file's text). Kept across episodes (the disk stays), at most LIMIT files and
MAX_CHARS characters in all (the oldest forgotten first).
"""

from __future__ import annotations

from schemas import steps as kinds

LIMIT = 512
MAX_CHARS = 64 << 20


class DiskTexts:
    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._chars = 0

    def get(self, path: object) -> str | None:
        return self._texts.get(path) if isinstance(path, str) else None

    def note(self, step: kinds.Step, saved: str | None = None) -> None:
        """Learn from a step written (`saved`: a save's document text, when the save holds none)."""
        match step:
            case kinds.FileChangeStep(change="created" | "modified", text=str() as text):
                self._set(step.path, text)
            case kinds.FileChangeStep(change="renamed", new_path=str() as new_path):
                moved = self._pop(step.path)
                if moved is not None:
                    self._set(new_path, moved)
                else:
                    self._pop(new_path)
            case kinds.FileChangeStep():
                self._pop(step.path)
            case kinds.SaveStep():
                said = step.text if step.text is not None else saved
                if said is not None:
                    self._set(step.path, said)
                else:
                    self._pop(step.path)
            case kinds.OpenStep(source=source) if source != "collector" and step.path not in self._texts:
                self._set(step.path, step.text)
            case _:  # on purpose: the other kinds write no file
                pass

    def _set(self, path: str, text: str) -> None:
        self._pop(path)
        self._texts[path] = text
        self._chars += len(text)
        while self._texts and (len(self._texts) > LIMIT or self._chars > MAX_CHARS):
            self._pop(next(iter(self._texts)))

    def _pop(self, path: str) -> str | None:
        text = self._texts.pop(path, None)
        if text is not None:
            self._chars -= len(text)
        return text
