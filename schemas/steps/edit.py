"""`edit`: LSP content changes to an open document, applied in order.

A change with a range replaces that range (positions in the header's position encoding);
a change without one replaces the whole document.

Whose work an edit is: `origin`, one of

- `typed`: keystrokes; `paste`, `cut`: the clipboard;
- `completion`: an accepted completion item (a language server's, or the editor's own word completion);
- `ai_completion`: an accepted inline AI suggestion; `agent`: an AI agent's or a chat's "apply";
- `snippet`, `code_action`, `rename`, `format`: what the editor or a language server did on request;
- `undo`, `redo`;
- `unknown`: no evidence either way, which an edit without `origin` means too (older episodes have none).

Each origin is of a class (`ORIGIN_CLASS`, the contributors Agent Trace names): `human` (the developer's
keys and the commands they ran, undo and redo included: the developer asked for them), `ai`
(`ai_completion`, `agent`) or `unknown`.

and `origin_detail`, the evidence: which signal said so, `<where>:<what>` on one line
(`lsp:textDocument/completion`, `lsp:textDocument/formatting`, `nvim:vim.paste`,
`vscode:editor.action.inlineSuggest.commit`). A recorder
never guesses silently: a heuristic says it is one in `origin_detail`, and no evidence is `unknown`.

`cell`, only in an edit of a notebook's virtual document (jupyterlab-lsp's `.virtual_documents/NAME.ipynb`,
one block per cell): the notebook's cell, counted from 0 over all its cells, markdown and raw ones included
(the index of the `.ipynb`'s `cells`), that its one change lies in, told at the seal from the notebook's
saves around it (collector/seal/cells.py says how); in VS Code's virtual document (LSP notebook sync, every
cell's source in it, lsp_bridge/capture/notebooks.py) the editor says it as it is typed, and for cells
added, deleted or moved it is the first cell the change touched. Where it cannot be told, `cell_unknown`
says why instead: `ambiguous` (the texts and saves around the edit leave more than one cell: a line break
typed between two cells before any later text tells whose it is), `unaligned` (no save of the notebook the
episode holds matches the virtual document before or after the edit).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

import msgspec

from schemas.compiled import compile_module
from schemas.limits import MAX_CHANGES, MAX_POSITION
from schemas.steps.base import Range, RelPath, StepBase, Struct, Text, whole

EditOrigin = Literal["typed", "paste", "cut", "completion", "ai_completion", "agent", "snippet",
                     "code_action", "rename", "format", "undo", "redo", "unknown"]
OriginClass = Literal["human", "ai", "unknown"]
CellUnknown = Literal["ambiguous", "unaligned"]
ORIGIN_CLASS: dict[str, OriginClass] = {
    "typed": "human", "paste": "human", "cut": "human", "completion": "human", "snippet": "human",
    "code_action": "human", "rename": "human", "format": "human", "undo": "human", "redo": "human",
    "ai_completion": "ai", "agent": "ai", "unknown": "unknown",
}
if set(ORIGIN_CLASS) != set(get_args(EditOrigin)):
    raise ImportError("ORIGIN_CLASS must give every EditOrigin its class")
# `<where>:<what>`: where the evidence comes from (lsp, nvim, vscode, emacs, claude-code, ...), then what
# said so, on one line without control characters
ORIGIN_DETAIL_PATTERN = whole(r"^[a-z0-9][a-z0-9_.-]{0,31}:[^\x00-\x1f\x7f]{1,200}")
OriginDetail = Annotated[str, msgspec.Meta(pattern=ORIGIN_DETAIL_PATTERN)]


class ContentChange(Struct, frozen=True, kw_only=True):
    range: Range | None = None
    text: Text


class EditStep(StepBase, tag="edit", frozen=True, kw_only=True):
    kind: ClassVar[Literal["edit"]] = "edit"
    path: RelPath
    version: int | None = None
    changes: Annotated[list[ContentChange], msgspec.Meta(min_length=1, max_length=MAX_CHANGES)]
    origin: EditOrigin | None = None
    origin_detail: OriginDetail | None = None
    cell: Annotated[int, msgspec.Meta(ge=0, le=MAX_POSITION)] | None = None
    cell_unknown: CellUnknown | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
