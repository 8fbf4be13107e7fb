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

from typing import Annotated, Any

from msgspec import Meta

from schemas.common import Model
from schemas.compiled import compile_module

NAMESPACE = "codetape"
USER_ONLY: dict[str, Any] = {"scope": "machine"}
"""`extra_json_schema` of a field only the user's own settings may set (a program, its arguments, a file)."""


class EditorSettings(Model, frozen=True, kw_only=True, rename="camel"):
    """How an editor extension starts the bridge and forwards what only the editor sees."""

    interpreter: Annotated[list[Annotated[str, Meta(min_length=1)]], Meta(
        max_length=32,
        description="The Python interpreter (and leading arguments) of the environment that has codetape, "
        "run as `PYTHON -P -m collector ...` (`-P`: the folder it runs in is never on its import path). "
        "Empty: `codetape` on PATH, else, in a trusted workspace, the "
        "Python extension's active interpreter when it has codetape. Read from your user settings only.",
        extra_json_schema=USER_ONLY)] = []
    autostart_collector: Annotated[bool, Meta(
        description="Start the collector when it is not running (else the bridge keeps retrying and the "
        "status bar says the collector is down).")] = True
    cursor_debounce_ms: Annotated[int, Meta(
        ge=0, le=10_000,
        description="Milliseconds of stillness before the cursor and selection are forwarded.")] = 200
    bridge_log: Annotated[str, Meta(
        description="Append the bridge's log to this file (`codetape bridge --log FILE`). Empty: the "
        "codetape output channel. Read from your user settings only.", extra_json_schema=USER_ONLY)] = ""


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
