"""A small real language server (pygls) that offers inline completions as an AI assistant's server does
(LSP 3.18 `textDocument/inlineCompletion`, as Copilot's language server answers it): run as
`python inline_server.py SCRIPT.json`, where the script maps a document's file name to the suggestion it
gets, `{"text": ..., "from_line_start": bool}`; with `from_line_start` the item's range starts at the
line's start and its insertText holds what is typed already, as Copilot's items do. Its serverInfo name
says what it is: a scripted stand-in for an AI assistant, named `copilot-scripted`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

NAME = "copilot-scripted"


def main() -> None:
    script: dict[str, Any] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    server = LanguageServer(NAME, "1.0")

    @server.feature(lsp.TEXT_DOCUMENT_INLINE_COMPLETION)
    def inline(params: lsp.InlineCompletionParams) -> lsp.InlineCompletionList:
        name = params.text_document.uri.rsplit("/", 1)[-1]
        wanted = script.get(name)
        if wanted is None:
            return lsp.InlineCompletionList(items=[])
        caret = params.position
        if not wanted.get("from_line_start"):
            return lsp.InlineCompletionList(items=[lsp.InlineCompletionItem(insert_text=wanted["text"])])
        line = server.workspace.get_text_document(params.text_document.uri).lines[caret.line]
        typed = line[:caret.character]
        span = lsp.Range(start=lsp.Position(line=caret.line, character=0), end=caret)
        return lsp.InlineCompletionList(items=[lsp.InlineCompletionItem(insert_text=typed + wanted["text"],
                                                                         range=span)])

    server.start_io()


if __name__ == "__main__":
    main()
