"""`offer`: suggestions an editor showed the developer at a place in a document, and which one they took.

`via` says how they were shown: `completion` (a completion menu: a language server's list, the editor's
own word completion) or `inline` (ghost text: an inline completion, as AI assistants offer). `evidence` is
where codetape saw the offer, `<where>:<what>` as an edit's `origin_detail` (`lsp:textDocument/completion`,
`lsp:textDocument/inlineCompletion`, `nvim:CompleteDone`, `emacs:company`). `provider` names who offered
it when known (the language server's `serverInfo.name`, the completion source). `ai` says an AI offered it
(an inline completion, a server or source codetape knows as an AI assistant, an item marked as one).

`items` are what was offered (at most MAX_ITEMS, in the order offered; `more` counts those left out), each
item the text it inserts (at most ITEM_TEXT_MAX characters; `cut` when it inserts more) and whether it is
marked as an AI's (`ai`). Item texts are redacted at sealing like every text.

`decision` is what the developer did at the change that followed: `accepted` (an item applied whole:
`taken` is its index), `partly_accepted` (a part of the item taken from its start, as an inline
suggestion's "accept word": `taken` and `taken_chars`), `not_taken` (they typed on, or moved away, or
the list closed without a choice). Whether the developer then overwrote what they took, or typed
something else where an offer was not taken, is for a reader to see in the edits that follow (the dataset
build's `offers` table says so).

`range`: where the offer is, in the header's position encoding. With `applied` false (a recorder that
saw the offer before the change that decided it: the bridge in proxy mode) the step comes before that
change and `range` is the caret where it was offered (empty); with `applied` true (an editor that reports
the offer once its item is in the buffer) the step comes after the change and `range` is the text the
taken item inserted.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import Range, RelPath, StepBase, Struct, whole
from schemas.steps.edit import OriginDetail

MAX_ITEMS = 16
ITEM_TEXT_MAX = 4096
OfferVia = Literal["completion", "inline"]
Decision = Literal["accepted", "partly_accepted", "not_taken"]
Provider = Annotated[str, msgspec.Meta(pattern=whole(r"^[^\x00-\x1f\x7f]{1,128}"))]
Count = Annotated[int, msgspec.Meta(ge=0, le=2**31)]


class OfferedItem(Struct, frozen=True, kw_only=True):
    text: Annotated[str, msgspec.Meta(max_length=ITEM_TEXT_MAX)]
    cut: bool = False  # the item inserts more than ITEM_TEXT_MAX characters: `text` is its start
    ai: bool = False  # the item itself is marked as an AI's


class OfferStep(StepBase, tag="offer", frozen=True, kw_only=True):
    kind: ClassVar[Literal["offer"]] = "offer"
    path: RelPath
    range: Range
    via: OfferVia
    evidence: OriginDetail
    provider: Provider | None = None
    ai: bool = False
    items: Annotated[list[OfferedItem], msgspec.Meta(min_length=1, max_length=MAX_ITEMS)]
    more: Count = 0
    decision: Decision
    taken: Annotated[int, msgspec.Meta(ge=0, lt=MAX_ITEMS)] | None = None
    taken_chars: Count | None = None  # partly_accepted: the characters of the item's text taken
    applied: bool = False


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
