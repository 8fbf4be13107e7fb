"""Types the pydantic models share (header, consent, upload, settings): the base model and constrained
values. The steps' own (msgspec structs) are in schemas/steps/base.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PositionEncoding = Literal["utf-8", "utf-16", "utf-32"]

# A workspace-relative POSIX path ("src/app.py"). Absolute paths never appear in an episode:
# they would leak the developer's home directory. Safety (no "..", no absolute) is enforced
# where paths touch a filesystem (checkout), so a hostile file is reported, not silently fixed.
RelPath = Annotated[str, Field(min_length=1, max_length=4096)]
Millis = Annotated[int, Field(ge=0, le=2**53)]
Source = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{0,31}$")]
Text = Annotated[str, Field(max_length=64 * 1024 * 1024)]
SHORT_TEXT_MAX = 64 * 1024  # characters of a note, a task statement, a message
ShortText = Annotated[str, Field(max_length=SHORT_TEXT_MAX)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Model(BaseModel):
    """Strict, immutable base for everything in an episode."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
