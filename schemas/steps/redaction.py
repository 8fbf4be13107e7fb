"""`redaction`: a secret was removed from the episode before it left the journal.

Placeholder semantics: every occurrence of one secret value, in every step and channel, is
replaced by the same placeholder `«redacted:RULE:N»` (RULE the rule id, N counting distinct
values per rule from 1). Reconstruction and replay stay coherent because the placeholder is
ordinary text. This step records that it happened, never the value.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.common import StepBase


class RedactionStep(StepBase):
    kind: Literal["redaction"] = "redaction"
    rule: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    placeholder: str = Field(pattern=r"^«redacted:[a-z0-9][a-z0-9_.-]{0,63}:[0-9]{1,9}»$")
    count: int = Field(ge=1)
