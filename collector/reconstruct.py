"""Reconstruction: the text of every file the episode knows, at any step.

A pipeline of small pieces: `Workspace.apply(step)` moves the state one step forward; `replay`
yields (index, step, workspace) so callers can stop, compare or snapshot wherever they like.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from collector.document import Document
from collector.errors import ReconstructionError
from schemas.common import PositionEncoding
from schemas.steps import EditStep, FileChangeStep, GapStep, OpenStep, SaveStep, Step

MAX_WORKSPACE = 512 * 1024 * 1024
LINE_COST = 64  # bytes a line takes beyond its characters: its str object and its list slot


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Workspace:
    """Files as the episode knows them. `omitted` files exist but their content was not recorded."""

    def __init__(self, encoding: PositionEncoding, *, limit: int = MAX_WORKSPACE) -> None:
        self.encoding: PositionEncoding = encoding
        self.docs: dict[str, Document] = {}
        self.omitted: dict[str, str] = {}
        self.limit = limit
        self.weight = 0  # estimated bytes the documents take in memory, kept below `limit`
        self._weights: dict[str, int] = {}

    def text(self, path: str) -> str | None:
        doc = self.docs.get(path)
        return None if doc is None else doc.text

    def files(self) -> dict[str, str]:
        return {path: doc.text for path, doc in sorted(self.docs.items())}

    def _set(self, path: str, text: str) -> None:
        self.omitted.pop(path, None)
        self.docs[path] = Document(text, self.encoding)

    def _remove(self, path: str) -> None:
        self.docs.pop(path, None)
        self.omitted.pop(path, None)

    def _account(self, paths: Iterable[str]) -> None:
        for path in paths:
            doc = self.docs.get(path)
            weight = 0 if doc is None else doc.size + LINE_COST * len(doc.lines)
            self.weight += weight - self._weights.pop(path, 0)
            if doc is not None:
                self._weights[path] = weight

    def apply(self, step: Step) -> None:
        """Move one step forward; refuses a step that could take the documents above `limit`."""
        texts = _texts(step)
        growth = sum(len(text) + LINE_COST * (text.count("\n") + text.count("\r") + 1) for text in texts)
        if self.weight + growth > self.limit:
            raise ReconstructionError(f"step at {step.t_ms} ms would take the reconstructed files above "
                                      f"{self.limit >> 20} MiB in memory; refusing to go on")
        self._apply(step)
        self._account(_paths(step))

    def _apply(self, step: Step) -> None:
        match step:
            case OpenStep():
                self._set(step.path, step.text)
            case EditStep():
                doc = self.docs.get(step.path)
                if doc is None:
                    raise ReconstructionError(
                        f"edit at {step.t_ms} ms to {step.path}, which was never opened"
                    )
                for change in step.changes:
                    doc.apply(change.range, change.text)
            case SaveStep(text=str() as text):
                self._set(step.path, text)
            case FileChangeStep():
                self._apply_file_change(step)
            case GapStep(state=list() as state):
                for file in state:
                    if file.text is None:
                        self._remove(file.path)
                    else:
                        self._set(file.path, file.text)
            case _:
                pass

    def _apply_file_change(self, step: FileChangeStep) -> None:
        if step.change == "deleted":
            self._remove(step.path)
            return
        path = step.path
        if step.change == "renamed":
            if step.new_path is None:
                raise ReconstructionError(f"rename at {step.t_ms} ms of {step.path} has no new path")
            doc = self.docs.pop(step.path, None)
            reason = self.omitted.pop(step.path, None)
            path = step.new_path
            if doc is not None:
                self.docs[path] = doc
            elif reason is not None:
                self.omitted[path] = reason
        if step.omitted is not None:
            self.docs.pop(path, None)
            self.omitted[path] = step.omitted
        elif step.text is not None:
            self._set(path, step.text)

    def save_mismatch(self, step: SaveStep) -> str | None:
        """Why a save's hash disagrees with the reconstructed text, or None when it agrees."""
        if step.sha256 is None:
            return None
        text = self.text(step.path)
        if text is None:
            return f"save at {step.t_ms} ms of {step.path}, which the episode never opened"
        if sha256_text(text) != step.sha256:
            return f"save at {step.t_ms} ms of {step.path}: reconstructed text does not match the saved hash"
        return None


def _texts(step: Step) -> list[str]:
    """Every text a step can add to the files."""
    match step:
        case OpenStep() | SaveStep() | FileChangeStep():
            return [] if step.text is None else [step.text]
        case EditStep():
            return [change.text for change in step.changes]
        case GapStep(state=list() as state):
            return [file.text for file in state if file.text is not None]
        case _:
            return []


def _paths(step: Step) -> list[str]:
    """Every path a step can change."""
    match step:
        case OpenStep() | SaveStep() | EditStep():
            return [step.path]
        case FileChangeStep():
            return [step.path] if step.new_path is None else [step.path, step.new_path]
        case GapStep(state=list() as state):
            return [file.path for file in state]
        case _:
            return []


def replay(encoding: PositionEncoding, steps: Iterable[Step]) -> Iterator[tuple[int, Step, Workspace]]:
    """(index, step, workspace after that step) for every step; the workspace object is reused."""
    workspace = Workspace(encoding)
    for index, step in enumerate(steps):
        workspace.apply(step)
        yield index, step, workspace


def workspace_at(encoding: PositionEncoding, steps: Iterable[Step], stop: int | None = None) -> Workspace:
    """The workspace after step `stop` (0-based, inclusive), or after the last step."""
    workspace = Workspace(encoding)
    for index, step in enumerate(steps):
        workspace.apply(step)
        if index == stop:
            return workspace
    if stop is not None:
        raise ReconstructionError(f"step {stop} does not exist: the episode has only {index + 1} steps"
                                  if "index" in locals() else "the episode has no steps")
    return workspace
