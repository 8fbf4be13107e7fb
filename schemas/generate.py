"""Write the JSON Schema of the step union, the episode header, the consent statement, CODETAPE_HOME's
config.toml and what an upload stores beside an episode (manifest, revocation), and the settings section
and untrusted-workspace capability of the VS Code extension's package.json (from schemas/editor.py):
`python -m schemas.generate`.

The output is deterministic (sorted keys, two-space indent, trailing newline) and committed;
tests/unit/schemas/test_drift.py and tests/unit/schemas/test_editor_settings.py fail when the models and the
committed files disagree.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from schemas.config import CodetapeConfig
from schemas.consent import ConsentStatement
from schemas.editor import NAMESPACE, EditorSettings
from schemas.header import EpisodeHeader
from schemas.steps import step_json_schema
from schemas.upload import RevocationRecord, RevocationStatement, UploadManifest

DIRECTORY = Path(__file__).resolve().parent
VSCODE_PACKAGE = DIRECTORY.parent / "editor_extensions" / "vscode" / "package.json"
_VSCODE_KEYS = ("type", "items", "default", "description", "enum", "minimum", "maximum", "maxItems")
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _document(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {**schema, "$schema": DRAFT, "title": title, "description": description}


def _cleaned(schema: dict[str, Any]) -> dict[str, Any]:
    """msgspec's schema with its classes' descriptions dedented (a docstring's indentation is not text)."""
    for definition in schema.get("$defs", {}).values():
        if "description" in definition:
            definition["description"] = inspect.cleandoc(definition["description"])
        if definition.get("required") == []:
            del definition["required"]
    return schema


def _model(model: type) -> dict[str, Any]:
    """The JSON Schema of `model` with the model itself at the top (its parts under `$defs`)."""
    schema = _cleaned(msgspec.json.schema(model))
    definitions = schema.pop("$defs")
    top = definitions.pop(schema.pop("$ref").removeprefix("#/$defs/"))
    return {**top, "$defs": definitions} if definitions else top


def render() -> dict[str, str]:
    """File name -> content for every generated schema file."""
    schemas = {
        "step.schema.json": _document(
            step_json_schema(), "codetape step",
            "One step of a codetape episode (schemas/steps/), discriminated by `kind`."),
        "episode-header.schema.json": _document(
            _model(EpisodeHeader), "codetape episode header",
            "The header frame of a codetape episode (schemas/header.py)."),
        "consent-statement.schema.json": _document(
            _model(ConsentStatement), "codetape consent statement",
            "The signed statement in a codetape episode's consent frame (schemas/consent.py)."),
        "config.schema.json": _document(
            _cleaned(msgspec.json.schema(CodetapeConfig)), "codetape config.toml",
            "CODETAPE_HOME/config.toml (schemas/config.py)."),
        "upload-manifest.schema.json": _document(
            _model(UploadManifest), "codetape upload manifest",
            "The JSON stored beside an uploaded episode at a destination (schemas/upload.py)."),
        "revocation.schema.json": _document(
            _model(RevocationRecord), "codetape revocation record",
            "A signed revocation stored beside an uploaded episode (schemas/upload.py); its `statement` "
            "is the JSON text of a RevocationStatement."),
        "revocation-statement.schema.json": _document(
            _model(RevocationStatement), "codetape revocation statement",
            "The signed statement inside a revocation record (schemas/upload.py)."),
    }
    return {name: json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            for name, schema in schemas.items()}


def vscode_configuration() -> dict[str, Any]:
    """`contributes.configuration` of the VS Code extension: EditorSettings as `codetape.<camelCase>`, each
    with its scope (`machine` for the user's own, schemas/editor.py USER_ONLY; else `window`)."""
    schema = _model(EditorSettings)
    properties = {}
    for name, field in schema["properties"].items():
        entry = {key: field[key] for key in _VSCODE_KEYS if key in field}
        if "items" in entry:
            entry["items"] = {"type": entry["items"]["type"]}
        properties[f"{NAMESPACE}.{name}"] = {**entry, "scope": field.get("scope", "window")}
    return {"title": "codetape", "properties": properties}


def vscode_untrusted_workspaces() -> dict[str, Any]:
    """`capabilities.untrustedWorkspaces`: limited, the user's own settings restricted (never a folder's)."""
    properties = vscode_configuration()["properties"]
    restricted = [key for key, entry in properties.items() if entry["scope"] == "machine"]
    return {
        "supported": "limited",
        "description": "In Restricted Mode codetape still records the folders you opted in with `codetape "
        "init`, with codetape from your user settings, PATH or the directory its installer puts it in "
        "(~/.local/bin and the like); it never runs the Python extension's "
        "interpreter there, and never takes a program or a file to write from a folder's settings.",
        "restrictedConfigurations": restricted,
    }


def render_package_json(text: str) -> str:
    """The extension's package.json with its settings and untrusted-workspace capability regenerated;
    everything else kept as it is."""
    package = json.loads(text)
    package.setdefault("capabilities", {})["untrustedWorkspaces"] = vscode_untrusted_workspaces()
    package.setdefault("contributes", {})["configuration"] = vscode_configuration()
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    outputs = {DIRECTORY / name: content for name, content in render().items()}
    if VSCODE_PACKAGE.exists():
        outputs[VSCODE_PACKAGE] = render_package_json(VSCODE_PACKAGE.read_text(encoding="utf-8"))
    for path, content in outputs.items():
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
