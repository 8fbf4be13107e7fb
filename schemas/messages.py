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

from msgspec import Meta, Struct

from schemas.common import FieldError
from schemas.compiled import compile_module
from schemas.methods import COMMANDS, REVIEW, STATUS
from schemas.steps.edit import ORIGIN_DETAIL_PATTERN, EditOrigin
from schemas.steps.offer import Decision, OfferVia

Uri = Annotated[str, Meta(min_length=1, max_length=8192)]
Line = Annotated[str, Meta(max_length=64 * 1024)]


class Message(Struct, frozen=True, kw_only=True, rename="camel"):
    """Lenient on unknown fields, strict on the ones it knows; camelCase on the wire (`msgspec.convert`
    and `msgspec.to_builtins` rename), snake_case in Python."""


class LspPosition(Message, frozen=True, kw_only=True):
    line: Annotated[int, Meta(ge=0, le=2**31)]
    character: Annotated[int, Meta(ge=0, le=2**31)]


class LspRange(Message, frozen=True, kw_only=True):
    start: LspPosition
    end: LspPosition


class LspDiagnostic(Message, frozen=True, kw_only=True):
    """The fields of an LSP Diagnostic that a recording keeps."""

    range: LspRange
    severity: Annotated[int, Meta(ge=1, le=4)] | None = None
    message: str
    code: str | int | None = None
    source: str | None = None


class DiagnosticsParams(Message, frozen=True, kw_only=True):
    """`codetape/diagnostics`: the full current set from one origin (a linter, a compiler, a server)."""

    uri: Uri
    origin: Annotated[str, Meta(max_length=256)] = ""
    version: int | None = None
    diagnostics: Annotated[list[LspDiagnostic], Meta(max_length=10_000)]


class LspSelection(Message, frozen=True, kw_only=True):
    anchor: LspPosition
    active: LspPosition


class CursorParams(Message, frozen=True, kw_only=True):
    """`codetape/cursor`: the carets and selections in one document."""

    uri: Uri
    selections: Annotated[list[LspSelection], Meta(min_length=1, max_length=1000)]


def _evidence(detail: str) -> None:
    if re.search(ORIGIN_DETAIL_PATTERN, detail) is None:
        raise FieldError("detail", "is not `<where>:<what>` on one line (where: up to 32 of a-z 0-9 _ . -)")


class OriginParams(Message, frozen=True, kw_only=True):
    """`codetape/origin`: the change that made `version` of the document (its didChange's
    `textDocument.version`) is `origin`'s work, as `detail` says (schemas/steps/edit.py: the vocabulary
    and the evidence's form, e.g. `vscode:editor.action.inlineSuggest.commit`). Sent just before or just
    after that didChange: the bridge waits a moment for whichever comes second
    (lsp_bridge/authorship/origins.py), from the first when the editor's `initialize` capabilities hold
    `"experimental": {"codetape": {"origin": true}}`."""

    uri: Uri
    version: Annotated[int, Meta(ge=0, le=2**53)]
    origin: EditOrigin
    detail: str

    def __post_init__(self) -> None:
        _evidence(self.detail)


class OfferedItemParams(Message, frozen=True, kw_only=True):
    text: Annotated[str, Meta(max_length=64 * 1024)]  # cut to the step's bound by the bridge
    ai: bool = False  # the item is marked as an AI's (its source or kind names one)


class OfferParams(Message, frozen=True, kw_only=True):
    """`codetape/offer`: the editor showed suggestions in a document (its completion menu) and the
    developer took one, or not (schemas/steps/offer.py). Sent once the menu closed: `range` is where the
    taken item's text is in `version` of the document (empty at the caret when none was taken; the
    bridge records it once that version's didChange is in, at most OFFER_WAIT_MS later); `detail` the evidence
    (`nvim:CompleteDone`), `provider` the completion's source (`omni vim.lsp.omnifunc`, `company-capf`)."""

    uri: Uri
    version: Annotated[int, Meta(ge=0, le=2**53)] | None = None  # the document version `range` is in
    range: LspRange
    via: OfferVia = "completion"
    detail: str
    provider: Annotated[str, Meta(max_length=128)] | None = None
    ai: bool = False
    items: Annotated[list[OfferedItemParams], Meta(min_length=1, max_length=10_000)]
    more: Annotated[int, Meta(ge=0, le=2**31)] = 0  # items shown beyond those sent
    decision: Decision
    taken: Annotated[int, Meta(ge=0, le=10_000)] | None = None

    def __post_init__(self) -> None:
        _evidence(self.detail)


class CommandParams(Message, frozen=True, kw_only=True):
    """`codetape/command`: a terminal command finished. `cwd` is an absolute path or a file URI."""

    command_line: Line
    cwd: Annotated[str, Meta(min_length=1, max_length=8192)]
    exit_code: int | None = None
    duration_ms: Annotated[int, Meta(ge=0, le=2**53)] = 0


class WorkspaceParams(Message, frozen=True, kw_only=True):
    """Names the workspace by any file URI inside it; absent: the bridge's own workspace."""

    uri: Uri | None = None


class NoteParams(WorkspaceParams, frozen=True, kw_only=True):
    """`codetape/note`: a marker with free text."""

    text: Line


class TaskParams(WorkspaceParams, frozen=True, kw_only=True):
    """`codetape/task`: a task starts (with its statement) or is done (with its outcome)."""

    action: Literal["start", "done"]
    statement: Line | None = None
    outcome: Literal["pass", "fail", "abandoned"] | None = None


class ReviewParams(Message, frozen=True, kw_only=True):
    """`codetape/review`: the developer chose to review an episode. It names no command: the editor runs
    its own configured codetape with `review EPISODE`, after checking that `episode` is an episode id."""

    episode: Annotated[str, Meta(min_length=1, max_length=128)]


RecordingState = Literal["recording", "paused", "not_recording", "not_opted_in", "collector_down", "stopped"]


class StatusParams(Message, frozen=True, kw_only=True):
    """`codetape/status`: whether a workspace is being recorded, as its editor must show it.

    `steps` is the collector's own count for the open episode (every source, not only this editor);
    `detail` says why a workspace is not recorded (`not_recording`: its `.codetape.toml` cannot be used,
    `FILE:LINE: what`; `stopped`: the user ran `codetape collector stop`, and how to record again), or, while
    recording or paused, that the file loosens what the user accepted and
    only the stricter of both applies (empty otherwise); `upload_error` is the last background upload's
    failure (the collector retries), shown beside any state; `held` is how many signed episodes the outbox
    holds before they leave (until the issuer counts k members for their month, or because work of them was
    pushed after signing: collector/held.py), shown beside any state (`codetape review` offers the choice);
    `scope` names the managed policy's scopes governing the workspace (collector/policy/reach.py), while
    recording or paused, None when none does.
    """

    uri: Uri  # the workspace root, as a file URI
    state: RecordingState
    steps: Annotated[int, Meta(ge=0)] = 0
    episode: str | None = None
    detail: Line = ""
    upload_error: Line | None = None
    held: Annotated[int, Meta(ge=0)] = 0
    scope: Line | None = None


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


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py

__all__ = ["COMMANDS", "NOTIFICATIONS", "REVIEW", "STATUS"]  # the names live in schemas/methods.py
