"""The benchmarks' LSP client: pygls's own `LanguageClient`, started the way the benchmarks need it.

- `start_client` runs a server (or a proxy in front of one) with its stderr appended to a file at the
  OS level (pygls reads the server's stderr through a pipe nobody drains otherwise);
- `client_converter` is pygls's converter plus the hook lsprotocol 2025.0.0 lacks to read pylsp's
  `notebookDocumentSync` (tests/support/bridge_harness.py carries the same hook for its tests);
- `Prebuilt` lets pygls serialize and frame a stream of messages before the clock starts, so a
  throughput run times the server and the proxy, not the client's JSON encoding.

Why throughput's proxy mode still has a client of its own (`bench/raw_client.py`) is in bench/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cattrs
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter


def client_converter() -> cattrs.Converter:
    """pygls's converter, plus a structure hook for pylsp's `notebookDocumentSync` notebook filters."""
    converter = default_converter()
    optional_notebook = typing.get_type_hints(lsp.NotebookDocumentFilterWithCells)["notebook"]
    kinds = (lsp.NotebookDocumentFilterNotebookType, lsp.NotebookDocumentFilterScheme,
             lsp.NotebookDocumentFilterPattern)

    def structure(value: Any, _type: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        for kind in kinds:
            with contextlib.suppress(Exception):
                return converter.structure(value, kind)
        raise ValueError(f"not a notebook filter: {value!r}")

    converter.register_structure_hook(optional_notebook, structure)
    return converter


# What servers tell an editor unasked; a benchmark reads and drops it (pygls would log each as unknown).
QUIET = (lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, lsp.WINDOW_LOG_MESSAGE, lsp.WINDOW_SHOW_MESSAGE)


def _ignore(client: LanguageClient, params: Any) -> None:
    """publishDiagnostics, logMessage, showMessage: read, not used."""


async def start_client(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None,
                       stderr: Path | None = None) -> LanguageClient:
    """A pygls client connected to `argv` over stdio (stderr appended to `stderr`, else discarded)."""
    client = LanguageClient("codetape-bench", "1", converter_factory=client_converter)
    for method in QUIET:
        client.feature(method)(_ignore)
    sink = str(stderr) if stderr is not None else os.devnull
    # exec replaces the shell: the server is the client's child, only its stderr goes to the file
    command = ["/bin/sh", "-c", 'exec "$@" 2>>"$0"', sink, *argv]
    await client.start_io(*command, cwd=str(cwd), env=dict(env) if env is not None else None)
    return client


def initialize_params(root: Path, *, encoding: str = "utf-16") -> lsp.InitializeParams:
    capabilities = lsp.ClientCapabilities(
        general=lsp.GeneralClientCapabilities(position_encodings=[encoding]),
        text_document=lsp.TextDocumentClientCapabilities(
            synchronization=lsp.TextDocumentSyncClientCapabilities(did_save=True),
            hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.PlainText]),
            document_symbol=lsp.DocumentSymbolClientCapabilities(hierarchical_document_symbol_support=True)),
        window=lsp.WindowClientCapabilities(show_message=lsp.ShowMessageRequestClientCapabilities()))
    return lsp.InitializeParams(
        capabilities=capabilities, process_id=os.getpid(), root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        client_info=lsp.ClientInfo(name="codetape-bench", version="1"))


async def initialize(client: LanguageClient, root: Path, *, timeout: float = 60.0) -> lsp.InitializeResult:
    result = await asyncio.wait_for(client.initialize_async(initialize_params(root)), timeout)
    client.initialized(lsp.InitializedParams())
    return result


def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=text)))


async def shutdown(client: LanguageClient, timeout: float = 20.0) -> int | None:
    """shutdown + exit, then wait for the server; killed when it does not go. Returns its exit status."""
    server = client._server  # the process pygls started
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.shutdown_async(None), timeout)
        client.exit(None)
    if server is not None:
        try:
            await asyncio.wait_for(server.wait(), timeout)
        except TimeoutError:
            server.kill()
            await server.wait()
    await client.stop()
    return None if server is None else server.returncode


class Prebuilt:
    """pygls's framed output, kept instead of written: build a stream now, write it later at once.

        with Prebuilt(client) as stream:
            client.text_document_did_change(...)      # serialized and framed by pygls, not sent
            answer = client.text_document_hover(...)  # its future resolves when the answer comes
        stream.send()                                 # the whole stream to the server, now
    """

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.chunks: list[bytes] = []
        self._writer: Any = None

    def write(self, data: bytes) -> None:  # pygls's Writer protocol
        self.chunks.append(data)

    def close(self) -> None:
        pass

    def __enter__(self) -> Prebuilt:
        self._writer = self.client.protocol.writer
        self.client.protocol.set_writer(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.protocol.set_writer(self._writer)

    @property
    def messages(self) -> int:
        return len(self.chunks)

    def send(self) -> None:
        """Hand the whole stream to the real writer (asyncio writes it out as the pipe takes it)."""
        self._writer.write(b"".join(self.chunks))
        self.chunks = []
