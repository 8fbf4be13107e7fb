"""Write the JSON Schema of the step union, the episode header and the consent statement:
`python -m schemas.generate`.

The output is deterministic (sorted keys, two-space indent, trailing newline) and committed;
tests/unit/test_schema_drift.py fails when the models and the committed files disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from schemas.consent import ConsentStatement
from schemas.header import EpisodeHeader
from schemas.steps import step_adapter

DIRECTORY = Path(__file__).resolve().parent
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _document(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {**schema, "$schema": DRAFT, "title": title, "description": description}


def render() -> dict[str, str]:
    """File name -> content for every generated schema file."""
    schemas = {
        "step.schema.json": _document(
            step_adapter.json_schema(mode="validation"), "codetape step",
            "One step of a codetape episode (schemas/steps/), discriminated by `kind`."),
        "episode-header.schema.json": _document(
            EpisodeHeader.model_json_schema(mode="validation"), "codetape episode header",
            "The header frame of a codetape episode (schemas/header.py)."),
        "consent-statement.schema.json": _document(
            ConsentStatement.model_json_schema(mode="validation"), "codetape consent statement",
            "The signed statement in a codetape episode's consent frame (schemas/consent.py)."),
    }
    return {name: json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            for name, schema in schemas.items()}


def main() -> int:
    for name, content in render().items():
        path = DIRECTORY / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
