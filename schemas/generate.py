"""Write the JSON Schema of the step union, the episode header, the consent statement, CODETAPE_HOME's
config.toml and what an upload stores beside an episode (manifest, revocation): `python -m schemas.generate`.

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
from schemas.settings import CodetapeConfig
from schemas.steps import step_adapter
from schemas.upload import RevocationRecord, RevocationStatement, UploadManifest

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
        "config.schema.json": _document(
            CodetapeConfig.model_json_schema(mode="validation"), "codetape config.toml",
            "CODETAPE_HOME/config.toml (schemas/settings.py)."),
        "upload-manifest.schema.json": _document(
            UploadManifest.model_json_schema(mode="validation"), "codetape upload manifest",
            "The JSON stored beside an uploaded episode at a destination (schemas/upload.py)."),
        "revocation.schema.json": _document(
            RevocationRecord.model_json_schema(mode="validation"), "codetape revocation record",
            "A signed revocation stored beside an uploaded episode (schemas/upload.py); its `statement` "
            "is the JSON text of a RevocationStatement."),
        "revocation-statement.schema.json": _document(
            RevocationStatement.model_json_schema(mode="validation"), "codetape revocation statement",
            "The signed statement inside a revocation record (schemas/upload.py)."),
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
