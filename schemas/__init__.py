"""codetape's vocabulary: step kinds, the episode header, custom LSP messages. Never imports pygls."""

from __future__ import annotations

from schemas.header import FORMAT_VERSION, CaptureSettings, ClientInfo, EpisodeHeader, WorkspaceIdentity
from schemas.steps import STEP_KINDS, Step, step_adapter, step_from_dict, step_to_dict

__all__ = [
    "FORMAT_VERSION", "STEP_KINDS", "CaptureSettings", "ClientInfo", "EpisodeHeader", "Step",
    "WorkspaceIdentity", "step_adapter", "step_from_dict", "step_to_dict",
]
