"""Custom LSP messages between editor extensions and the bridge (`codetape/*`), in their wire form.

Editor extensions send these notifications to the bridge; the bridge sends `codetape/review` back.
Field names are camelCase on the wire, as everywhere in LSP. Positions count in the position encoding
negotiated at `initialize`. Unknown fields are ignored so that newer extensions work with older bridges.

| method | direction | params |
|---|---|---|
| `codetape/diagnostics` | editor -> bridge | `DiagnosticsParams`: all the editor shows, by origin |
| `codetape/cursor` | editor -> bridge | `CursorParams` |
| `codetape/origin` | editor -> bridge | `OriginParams`: whose work the change making a version is |
| `codetape/offer` | editor -> bridge | `OfferParams`: a completion menu the editor showed, and its fate |
| `codetape/command` | editor -> bridge | `CommandParams`: a terminal command finished |
| `codetape/note` | editor -> bridge | `NoteParams` |
| `codetape/task` | editor -> bridge | `TaskParams` |
| `codetape/pause`, `codetape/resume` | editor -> bridge | `WorkspaceParams` |
| `codetape/review` | bridge -> editor | `ReviewParams`: review `episode` (the editor builds the command) |
| `codetape/status` | bridge -> editor | `StatusParams`: what the editor shows, sent whenever it changes |

`workspace/executeCommand` with `codetape.status`, `codetape.pause`, `codetape.resume` or `codetape.seal`
(optional first argument: a file URI naming the workspace) is forwarded to the collector as a request.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from schemas.methods import COMMANDS, REVIEW, STATUS
from schemas.steps.edit import ORIGIN_DETAIL_PATTERN, EditOrigin
from schemas.steps.offer import Decision, OfferVia

Uri = Annotated[str, Field(min_length=1, max_length=8192)]
Line = Annotated[str, Field(max_length=64 * 1024)]


class Message(BaseModel):
    """Lenient on unknown fields, strict on the ones it knows."""

    model_config = ConfigDict(extra="ignore", frozen=True, alias_generator=to_camel, populate_by_name=True,
                              defer_build=True)  # built on first use: the bridge starts faster


class LspPosition(Message):
    line: Annotated[int, Field(ge=0, le=2**31)]
    character: Annotated[int, Field(ge=0, le=2**31)]


class LspRange(Message):
    start: LspPosition
    end: LspPosition


class LspDiagnostic(Message):
    """The fields of an LSP Diagnostic that a recording keeps."""

    range: LspRange
    severity: Annotated[int, Field(ge=1, le=4)] | None = None
    message: str
    code: str | int | None = None
    source: str | None = None


class DiagnosticsParams(Message):
    """`codetape/diagnostics`: the full current set from one origin (a linter, a compiler, a server)."""

    uri: Uri
    origin: Annotated[str, Field(max_length=256)] = ""
    version: int | None = None
    diagnostics: Annotated[list[LspDiagnostic], Field(max_length=10_000)]


class LspSelection(Message):
    anchor: LspPosition
    active: LspPosition


class CursorParams(Message):
    """`codetape/cursor`: the carets and selections in one document."""

    uri: Uri
    selections: Annotated[list[LspSelection], Field(min_length=1, max_length=1000)]


def _evidence(detail: str) -> str:
    if re.search(ORIGIN_DETAIL_PATTERN, detail) is None:
        raise ValueError("is not `<where>:<what>` on one line (where: up to 32 of a-z 0-9 _ . -)")
    return detail


class OriginParams(Message):
    """`codetape/origin`: the change that made `version` of the document (its didChange's
    `textDocument.version`) is `origin`'s work, as `detail` says (schemas/steps/edit.py: the vocabulary
    and the evidence's form, e.g. `vscode:editor.action.inlineSuggest.commit`). Sent just before or just
    after that didChange: the bridge waits a moment for whichever comes second (lsp_bridge/origins.py),
    from the first when the editor's `initialize` capabilities hold
    `"experimental": {"codetape": {"origin": true}}`."""

    uri: Uri
    version: Annotated[int, Field(ge=0, le=2**53)]
    origin: EditOrigin
    detail: Annotated[str, AfterValidator(_evidence)]


class OfferedItemParams(Message):
    text: Annotated[str, Field(max_length=64 * 1024)]  # cut to the step's bound by the bridge
    ai: bool = False  # the item is marked as an AI's (its source or kind names one)


class OfferParams(Message):
    """`codetape/offer`: the editor showed suggestions in a document (its completion menu) and the
    developer took one, or not (schemas/steps/offer.py). Sent once the menu closed: `range` is where the
    taken item's text is in `version` of the document (empty at the caret when none was taken; the
    bridge records it once that version's didChange is in, at most OFFER_WAIT_MS later); `detail` the evidence
    (`nvim:CompleteDone`), `provider` the completion's source (`omni vim.lsp.omnifunc`, `company-capf`)."""

    uri: Uri
    version: Annotated[int, Field(ge=0, le=2**53)] | None = None  # the document version `range` is in
    range: LspRange
    via: OfferVia = "completion"
    detail: Annotated[str, AfterValidator(_evidence)]
    provider: Annotated[str, Field(max_length=128)] | None = None
    ai: bool = False
    items: Annotated[list[OfferedItemParams], Field(min_length=1, max_length=10_000)]
    more: Annotated[int, Field(ge=0, le=2**31)] = 0  # items shown beyond those sent
    decision: Decision
    taken: Annotated[int, Field(ge=0, le=10_000)] | None = None


class CommandParams(Message):
    """`codetape/command`: a terminal command finished. `cwd` is an absolute path or a file URI."""

    command_line: Line
    cwd: Annotated[str, Field(min_length=1, max_length=8192)]
    exit_code: int | None = None
    duration_ms: Annotated[int, Field(ge=0, le=2**53)] = 0


class WorkspaceParams(Message):
    """Names the workspace by any file URI inside it; absent: the bridge's own workspace."""

    uri: Uri | None = None


class NoteParams(WorkspaceParams):
    """`codetape/note`: a marker with free text."""

    text: Line


class TaskParams(WorkspaceParams):
    """`codetape/task`: a task starts (with its statement) or is done (with its outcome)."""

    action: Literal["start", "done"]
    statement: Line | None = None
    outcome: Literal["pass", "fail", "abandoned"] | None = None


class ReviewParams(Message):
    """`codetape/review`: the developer chose to review an episode. It names no command: the editor runs
    its own configured codetape with `review EPISODE`, after checking that `episode` is an episode id."""

    episode: Annotated[str, Field(min_length=1, max_length=128)]


RecordingState = Literal["recording", "paused", "not_recording", "not_opted_in", "collector_down"]


class StatusParams(Message):
    """`codetape/status`: whether a workspace is being recorded, as its editor must show it.

    `steps` is the collector's own count for the open episode (every source, not only this editor);
    `detail` says why a workspace is not recorded (`not_recording`: its `.codetape.toml` cannot be used,
    `FILE:LINE: what`), or, while recording or paused, that the file loosens what the user accepted and
    only the stricter of both applies (empty otherwise); `upload_error` is the last background upload's
    failure (the collector retries), shown beside any state.
    """

    uri: Uri  # the workspace root, as a file URI
    state: RecordingState
    steps: Annotated[int, Field(ge=0)] = 0
    episode: str | None = None
    detail: Line = ""
    upload_error: Line | None = None


NOTIFICATIONS: dict[str, type[Message]] = {
    "codetape/diagnostics": DiagnosticsParams,
    "codetape/cursor": CursorParams,
    "codetape/command": CommandParams,
    "codetape/note": NoteParams,
    "codetape/task": TaskParams,
    "codetape/pause": WorkspaceParams,
    "codetape/resume": WorkspaceParams,
    "codetape/origin": OriginParams,
    "codetape/offer": OfferParams,
}
"""Notifications an editor extension may send to the bridge, with their params model."""

__all__ = ["COMMANDS", "NOTIFICATIONS", "REVIEW", "STATUS"]  # the names live in schemas/methods.py
