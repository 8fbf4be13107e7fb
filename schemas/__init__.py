"""codetape's vocabulary: step kinds, the episode header, custom LSP messages. Never imports pygls.

The names below load on first use (PEP 562), so a command that needs only `schemas.settings` does not
pay for building the step and header models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.header import FORMAT_VERSION, CaptureSettings, ClientInfo, EpisodeHeader, WorkspaceIdentity
    from schemas.steps import STEP_KINDS, Step, StepError, step_from_dict, step_to_dict, steps_from_dicts

_HOME = {
    "FORMAT_VERSION": "schemas.header", "CaptureSettings": "schemas.header", "ClientInfo": "schemas.header",
    "EpisodeHeader": "schemas.header", "WorkspaceIdentity": "schemas.header",
    "STEP_KINDS": "schemas.steps", "Step": "schemas.steps", "StepError": "schemas.steps",
    "step_from_dict": "schemas.steps", "step_to_dict": "schemas.steps", "steps_from_dicts": "schemas.steps",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'schemas' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FORMAT_VERSION", "STEP_KINDS", "CaptureSettings", "ClientInfo", "EpisodeHeader", "Step",
    "StepError", "WorkspaceIdentity", "step_from_dict", "step_to_dict", "steps_from_dicts",
]
