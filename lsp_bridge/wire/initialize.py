"""The `initialize` exchange: what both modes read from the editor's request, and observe mode's answer.

Proxy mode reads the editor's request and the server's answer as they pass (`modes/traffic.py`); observe
mode answers the request itself (`modes/observe.py`, or `modes/early.py` before the rest of the bridge has
loaded). The request is plain JSON: a field that is missing or of another type counts as not given, except
`capabilities`, which must be an object.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector import __version__
from lsp_bridge.errors import MalformedMessage
from schemas.methods import COMMANDS

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

SERVER_NAME = "codetape-bridge"
ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
INCREMENTAL = 2  # TextDocumentSyncKind.Incremental
FILE_OPERATIONS = ("didCreate", "didRename", "didDelete")  # those observe mode asks for, for every file
EVERY_FILE = {"filters": [{"pattern": {"glob": "**/*"}, "scheme": "file"}]}


def folders_of(params: dict[str, Any]) -> list[str]:
    """The editor's workspace folders as URIs (workspaceFolders, else rootUri, else rootPath)."""
    folders = params.get("workspaceFolders")
    uris = [f["uri"] for f in folders if isinstance(f, dict) and isinstance(f.get("uri"), str)] \
        if isinstance(folders, list) else []
    if not uris and isinstance(params.get("rootUri"), str):
        uris = [params["rootUri"]]
    if not uris and isinstance(params.get("rootPath"), str) and params["rootPath"].startswith("/"):
        uris = [Path(params["rootPath"]).as_uri()]
    return uris


def client_info_of(params: dict[str, Any]) -> dict[str, Any] | None:
    """The editor's name and version (clientInfo), each at most 256 characters; None when not named."""
    info = params.get("clientInfo")
    if not isinstance(info, dict) or not isinstance(info.get("name"), str):
        return None
    version = info.get("version")
    return {"name": info["name"][:256], "version": version[:256] if isinstance(version, str) else None}


JUPYTERLAB = "JupyterLab (inferred)"  # the client named for @jupyterlab/lsp's connection, which names none
_JUPYTERLAB_NULLS = ("processId", "workspaceFolders", "initializationOptions")


def client_of(params: dict[str, Any]) -> dict[str, Any] | None:
    """The editor: its clientInfo (client_info_of), else `JupyterLab (inferred)` for the request
    JupyterLab's language server connection sends (@jupyterlab/lsp's `LSPConnection.initializeParams`, as
    jupyterlab-lsp 5 uses it: no clientInfo, `processId`, `workspaceFolders` and `initializationOptions`
    each given as null, a `file:` rootUri); None when neither."""
    named = client_info_of(params)
    if named is not None or "clientInfo" in params:
        return named
    jupyterlab = all(key in params and params[key] is None for key in _JUPYTERLAB_NULLS) and \
        isinstance(params.get("rootUri"), str) and params["rootUri"].startswith("file:")
    return {"name": JUPYTERLAB, "version": None} if jupyterlab else None


# every notebook's every cell (lsp_bridge/capture/notebooks.py); those of opted-in workspaces are recorded
NOTEBOOK_SYNC = {"notebookSelector": [{"notebook": "*", "cells": [{"language": "*"}]}], "save": True}


def capability(capabilities: dict[str, Any], *keys: str) -> Any:
    """capabilities[k1][k2]...; None when a level is missing or not an object."""
    value: Any = capabilities
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def position_encoding(capabilities: dict[str, Any]) -> PositionEncoding:
    """The first encoding in the editor's `general.positionEncodings` that the bridge knows; else UTF-16,
    which every editor must support."""
    offered = capability(capabilities, "general", "positionEncodings")
    for name in offered if isinstance(offered, list) else ():
        for known in ENCODINGS:
            if name == known:
                return known
    return "utf-16"


def initialize_result(params: Any) -> dict[str, Any]:
    """Observe mode's `InitializeResult`: text sync (incremental, saves with their text), notebook sync
    when the editor has it (VS Code's language client), the file operations the editor can send, the
    `codetape.*` commands and workspace folders; no language feature. MalformedMessage when the params or
    their capabilities are not objects."""
    if not isinstance(params, dict):
        raise MalformedMessage("initialize params are not an object")
    capabilities = params.get("capabilities")
    if not isinstance(capabilities, dict):
        raise MalformedMessage("initialize params have no capabilities object")
    operations = {name: EVERY_FILE for name in FILE_OPERATIONS
                  if capability(capabilities, "workspace", "fileOperations", name) is True}
    notebooks = {"notebookDocumentSync": NOTEBOOK_SYNC} \
        if capability(capabilities, "notebookDocument", "synchronization") is not None else {}
    return {
        "capabilities": {
            "positionEncoding": position_encoding(capabilities),
            "textDocumentSync": {"openClose": True, "change": INCREMENTAL, "save": {"includeText": True}},
            **notebooks,
            "executeCommandProvider": {"commands": list(COMMANDS)},
            "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True},
                          "fileOperations": operations},
        },
        "serverInfo": {"name": SERVER_NAME, "version": __version__},
    }
