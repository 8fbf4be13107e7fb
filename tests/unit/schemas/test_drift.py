"""The committed JSON Schema files are exactly what the pydantic models generate today."""

from __future__ import annotations

import json

from schemas import STEP_KINDS
from schemas.generate import DIRECTORY, render

FIX = "schemas drifted; run: python -m schemas.generate; commit the result"


def test_committed_schemas_match_the_models() -> None:
    for name, content in render().items():
        path = DIRECTORY / name
        assert path.exists(), f"{name} is missing; {FIX}"
        assert path.read_text(encoding="utf-8") == content, f"{name}: {FIX}"


def test_generation_is_deterministic_and_covers_every_kind() -> None:
    first, second = render(), render()
    assert first == second
    step = json.loads(first["step.schema.json"])
    assert set(step["discriminator"]["mapping"]) == STEP_KINDS
    assert all(content.endswith("}\n") for content in first.values())
    header = json.loads(first["episode-header.schema.json"])
    assert {"episode_id", "started_at", "workspace"} <= set(header["required"])
