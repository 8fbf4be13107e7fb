"""The committed JSON Schema files are exactly what the models generate today, and they accept what
codetape writes."""

from __future__ import annotations

import json
from pathlib import Path

from schemas import STEP_KINDS
from schemas.generate import DIRECTORY, render

FIXTURES = Path(__file__).parents[2] / "fixtures"
GOLDEN, STORED = FIXTURES / "episodes", FIXTURES / "consent"
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


def test_what_codetape_writes_is_valid_under_the_committed_schemas() -> None:
    """The schemas published for receivers accept real documents: every golden episode's header and the
    stored consent statements (tests/fixtures/consent), and refuse an unknown field."""
    from jsonschema import Draft202012Validator

    from collector.episode import open_episode
    from schemas.common import plain

    header = Draft202012Validator(json.loads((DIRECTORY / "episode-header.schema.json").read_text("utf-8")))
    for path in sorted(GOLDEN.glob("*.ctape")):
        header.validate(plain(open_episode(path).header))
    statement = Draft202012Validator(
        json.loads((DIRECTORY / "consent-statement.schema.json").read_text("utf-8")))
    for path in sorted(STORED.glob("*.json")):
        data = json.loads(path.read_bytes())
        statement.validate(data)
        assert not statement.is_valid({**data, "uploaded_to": "anywhere"})
