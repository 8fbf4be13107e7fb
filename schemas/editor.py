"""The editor extensions' settings: one model, from which VS Code's `package.json` settings are generated.

VS Code shows them as `codetape.<camelCaseName>` (`python -m schemas.generate` writes
`contributes.configuration` and `capabilities.untrustedWorkspaces` of editor_extensions/vscode/package.json;
tests/unit/schemas/test_editor_settings.py fails on drift). Neovim's `setup({...})` takes the same names in
snake_case where it has them.

A setting that names a program to run, its arguments or a file to write is the user's alone: its VS Code
scope is `machine` (a folder's `.vscode/settings.json` cannot set it) and it is restricted in untrusted
workspaces. `USER_ONLY` marks such fields; the extension reads them from the user's settings only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict

NAMESPACE = "codetape"
USER_ONLY: JsonDict = {"scope": "machine"}
"""`json_schema_extra` of a field only the user's own settings may set (a program, its arguments, a file)."""


class EditorSettings(BaseModel):
    """How an editor extension starts the bridge and forwards what only the editor sees."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    interpreter: Annotated[list[Annotated[str, Field(min_length=1)]], Field(max_length=32)] = Field(
        default=[],
        description="The Python interpreter (and leading arguments) of the environment that has codetape, "
        "run as `PYTHON -P -m collector ...` (`-P`: the folder it runs in is never on its import path). "
        "Empty: `codetape` on PATH, else, in a trusted workspace, the "
        "Python extension's active interpreter when it has codetape. Read from your user settings only.",
        json_schema_extra=USER_ONLY)
    autostart_collector: bool = Field(
        default=True,
        description="Start the collector when it is not running (else the bridge keeps retrying and the "
        "status bar says the collector is down).")
    cursor_debounce_ms: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=200, description="Milliseconds of stillness before the cursor and selection are forwarded.")
    bridge_log: str = Field(
        default="",
        description="Append the bridge's log to this file (`codetape bridge --log FILE`). Empty: the "
        "codetape output channel. Read from your user settings only.", json_schema_extra=USER_ONLY)
