"""A trivial language server for measuring proxies rather than servers, built on pygls.

    python -m bench.echo_server

Incremental text sync (pygls keeps the documents), `hover` and `documentSymbol` answered at once with
`null`; exits on `exit`.
"""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer("bench-echo", "1", text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    """textDocument/hover: nothing to say, at once."""
    return None


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def symbols(ls: LanguageServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol] | None:
    """textDocument/documentSymbol: no symbols, at once."""
    return None


if __name__ == "__main__":
    server.start_io()
