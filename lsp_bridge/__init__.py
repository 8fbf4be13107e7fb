"""The LSP bridge: what the editor does, as steps for the collector.

One subpackage per role, layered from the editor down to the wire (pyproject.toml's contract holds it;
each subpackage's docstring is its map):

    main.py, __main__.py   `codetape bridge` and `python -m lsp_bridge`: which mode, what it is wired to
    arguments.py, options.py, server.py   the command line, and proxy mode's server started first thing
    modes/        what the editor talks to: observe, proxy (and its reading of the traffic), acp
    capture/      what the editor says about its documents, as steps: the handler table and its parts
    authorship/   whose work an edit is: origins, and the offers servers made
    documents/    the open documents, the workspaces they lie in, what the capture's parts share
    recording/    the recorder and its spool towards the collector; the status and review prompt back
    steps/        pure functions: LSP and ACP params to steps, snippet text
    wire/         the LSP framing, the pipes, the tap, the `initialize` exchange, the bridge's own messages
    errors.py     what goes wrong inside the bridge (each becomes a log line and a `gap` or a skip)

Nothing here prints: stdout is the LSP transport. Logs go to stderr or to `--log FILE`.
"""
