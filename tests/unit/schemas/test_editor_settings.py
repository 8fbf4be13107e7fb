"""The VS Code extension's settings are EditorSettings (schemas/editor.py): package.json must agree with the
model, field for field, default for default; regenerate with `python -m schemas.generate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from schemas.editor import EditorSettings
from schemas.generate import VSCODE_PACKAGE, render_package_json
from schemas.messages import COMMANDS

REGENERATE = "package.json disagrees with schemas/editor.py: run `.venv/bin/python -m schemas.generate`"


def test_package_json_is_generated_from_the_model() -> None:
    text = VSCODE_PACKAGE.read_text(encoding="utf-8")
    assert text == render_package_json(text), REGENERATE


def test_every_setting_is_a_field_with_its_default() -> None:
    package = json.loads(VSCODE_PACKAGE.read_text(encoding="utf-8"))
    properties = package["contributes"]["configuration"]["properties"]
    given = {key.removeprefix("codetape."): value["default"] for key, value in properties.items()}
    assert given == msgspec.to_builtins(EditorSettings())
    assert msgspec.convert(given, EditorSettings) == EditorSettings()


def test_a_changed_model_is_caught(tmp_path: Path) -> None:
    package = json.loads(VSCODE_PACKAGE.read_text(encoding="utf-8"))
    package["contributes"]["configuration"]["properties"]["codetape.cursorDebounceMs"]["default"] = 5
    stale = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    assert render_package_json(stale) != stale


def test_extension_commands_leave_the_bridges_names_free() -> None:
    """vscode-languageclient registers the bridge's commands (codetape.seal, ...) under their own names."""
    package = json.loads(VSCODE_PACKAGE.read_text(encoding="utf-8"))
    ours = {entry["command"] for entry in package["contributes"]["commands"]}
    assert not ours & set(COMMANDS)


def test_settings_naming_a_program_or_a_file_are_the_users_alone() -> None:
    """A folder's .vscode/settings.json cannot set them (scope machine), nor can an untrusted workspace.
    The packaged .vsix is checked the same way (tests/e2e/vscode/test_extension_vscode.py)."""
    assert_settings_are_the_users(json.loads(VSCODE_PACKAGE.read_text(encoding="utf-8")))


def assert_settings_are_the_users(package: dict[str, Any]) -> None:
    """`package` (a package.json) scopes the settings naming a program or a file to the machine, and
    restricts them in an untrusted workspace."""
    properties = package["contributes"]["configuration"]["properties"]
    machine = {key for key, value in properties.items() if value["scope"] == "machine"}
    assert machine == {"codetape.interpreter", "codetape.bridgeLog"}
    assert {value["scope"] for key, value in properties.items() if key not in machine} == {"window"}
    untrusted = package["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited" and set(untrusted["restrictedConfigurations"]) == machine
