"""`redaction`: a secret was removed from the episode before it left the journal.

Placeholder semantics: every occurrence of one secret value, in every step and channel, is
replaced by the same placeholder `«redacted:RULE:N»` (RULE the rule id, N counting distinct
values per rule from 1). Reconstruction and replay stay coherent because the placeholder is
ordinary text. This step records that it happened, never the value.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import StepBase, whole

RULE = r"^[a-z0-9][a-z0-9_.-]{0,63}"  # a rule id


class RedactionStep(StepBase, tag="redaction", frozen=True, kw_only=True):
    kind: ClassVar[Literal["redaction"]] = "redaction"
    rule: Annotated[str, msgspec.Meta(pattern=whole(RULE))]
    placeholder: Annotated[str, msgspec.Meta(pattern=whole(r"^«redacted:" + RULE[1:] + r":[0-9]{1,9}»"))]
    count: Annotated[int, msgspec.Meta(ge=1)]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
