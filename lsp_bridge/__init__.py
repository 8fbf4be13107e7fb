"""The LSP bridge: what the editor does, as steps for the collector.

Layers, as in pygls: `framing` (the wire; `pipes`, its ends), then `observe` (a language server of its
own) and `proxy` (a byte-exact relay in front of a real server), which share `initialize` (the exchange
as both read it) and `editor` (the bridge's own messages to the editor). They feed `capture` /
`extensions` / `traffic` (LSP to steps, via the pure functions of `translate`; `capture` is the handler
table for text sync (`sync`), the check at save (`resync`), `files` and `offer_steps`, over the open
`documents` they share through `tracking`), which hand steps to the `recorder` (the collector
connection, with its spool). Back to the editor go the `review` prompt after a
seal and the `status` report (`codetape/status`, to editors that ask for it).
Nothing here prints: stdout is the LSP transport. Logs go to stderr or to `--log FILE`.
"""
