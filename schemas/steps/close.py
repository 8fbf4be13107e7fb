"""`close`: the editor closed a document. The file's content is unchanged by closing.

A close with `source` `collector` and `reason` `editor_gone` was not sent by an editor: the last connection
that had the document open went (its editor exited, crashed or lost the collector) without closing it, so
the collector closed it. From then on a replay reads the file from the disk, as every later writer (an AI
agent, `sed`, `git checkout`) finds it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.compiled import compile_module
from schemas.steps.base import RelPath, StepBase


class CloseStep(StepBase, tag="close", frozen=True, kw_only=True):
    kind: ClassVar[Literal["close"]] = "close"
    path: RelPath
    reason: Literal["editor_gone"] | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
