"""What an episode knows is on disk, by path, so a watcher's echo of an editor's save can be dropped.

An editor's save reaches the collector twice: as the bridge's `save` step and, around the same time
(before or after it: the two travel different paths), as the file watcher's `file_change` carrying the
same content. The second says nothing new and would store the whole file again. It is an echo when its
hash is what the disk is known to hold now, or what a save of that path wrote within `window_ms` of it;
older content coming back later (a checkout restoring it) is a real change and is kept.

The other way round too: when the editor's own `save` comes later than the watcher's hold, the watcher's
view was recorded as the save the editor had not said (`source` "files"); the editor's save of the same
content, with nothing recorded on that path in between, says nothing new and is an echo as well; and so
is it within `window_ms` of it when only other programs' writes of the file were recorded meanwhile (an
agent's write the watcher saw with that save, split from it: agent_claims.py). So is the editor's save of
the other writer's part of such a split change (the text without the agent's hunks, no origin) when the
watcher's view came before the editor's edits and save did: that part was the save (issue 86).
"""

from __future__ import annotations

from collections import deque

from collector.sources.files.file_watcher import SOURCE as WATCHER
from schemas.steps import FileChangeStep, SaveStep, Step

RECENT = 64  # a file's saves remembered: a late view of any in the window is its echo (saves every 150 ms)


class DiskEcho:
    def __init__(self, window_ms: int = 2000) -> None:
        self.window_ms = window_ms
        self._known: dict[str, str] = {}
        self._saves: dict[str, deque[tuple[str, int]]] = {}
        # path -> (hash, when, a file change came since) of the watcher's save, no step of an editor's since
        self._unsaid: dict[str, tuple[str, int, bool]] = {}
        self._plain: dict[str, tuple[str, int]] = {}  # path -> (hash, when) of a watcher's write, no origin
        self._split: dict[str, tuple[str, int]] = {}  # path -> (hash, when) of such a write split from an
        # agent's (the editor's edits that led to it and its save may come after it)

    def is_echo(self, step: Step, at_ms: int) -> bool:
        """True for a created/modified file_change whose content the disk is known to hold, or an editor's
        save repeating the watcher's save of the same content."""
        if type(step) is SaveStep and step.source != WATCHER:
            unsaid, split = self._unsaid.get(step.path), self._split.get(step.path)
            if split is not None and split[0] == step.sha256 and abs(at_ms - split[1]) <= self.window_ms:
                return True
            return step.sha256 is not None and unsaid is not None and unsaid[0] == step.sha256 \
                and (not unsaid[2] or abs(at_ms - unsaid[1]) <= self.window_ms)
        if type(step) is not FileChangeStep or step.change not in ("created", "modified") \
                or step.sha256 is None:
            return False
        path, digest = step.path, step.sha256
        if self._known.get(path) == digest:
            return True
        recent = self._saves.get(path, ())
        return any(saved == digest and abs(at - at_ms) <= self.window_ms for saved, at in recent)

    def note(self, step: Step, at_ms: int, saved: str | None = None) -> None:
        """Learn from a step that was recorded (at `at_ms`, unix epoch ms); `saved`: for a save, the hash
        of what it put on disk when the step names none (its document's text: OpenDocuments.saved_digest)."""
        path = getattr(step, "path", None)
        if not isinstance(path, str):
            return
        unsaid = self._unsaid.pop(path, None)
        if unsaid is not None and type(step) is FileChangeStep:
            self._unsaid[path] = (unsaid[0], unsaid[1], True)
        plain = self._plain.pop(path, None)
        if type(step) is FileChangeStep and step.origin == "agent" and plain is not None \
                and plain[1] == at_ms:
            self._split[path] = plain  # the other part of a change split from the agent's write
        elif type(step) is FileChangeStep or type(step) is SaveStep:
            self._split.pop(path, None)
        if type(step) is FileChangeStep and step.source == WATCHER and step.origin is None \
                and step.change == "modified" and step.sha256 is not None:
            self._plain[path] = (step.sha256, at_ms)
        if type(step) is SaveStep and saved is None:
            saved = step.sha256
        if type(step) is SaveStep and saved is not None:
            if step.source == WATCHER:
                self._unsaid[path] = (saved, at_ms, False)
            self._known[path] = saved
            self._saves.setdefault(path, deque(maxlen=RECENT)).append((saved, at_ms))
        elif type(step) is FileChangeStep:
            known = self._known.pop(path, None)
            moved = step.sha256 if step.sha256 is not None else known
            if step.change == "renamed" and step.new_path is not None and moved is not None:
                self._known[step.new_path] = moved
            elif step.change in ("created", "modified") and step.sha256 is not None:
                self._known[path] = step.sha256
