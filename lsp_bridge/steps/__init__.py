"""Pure functions from protocol params (plain JSON values) to the steps the bridge sends.

translate.py  LSP params to steps
acp.py        an Agent Client Protocol conversation's messages to `agent` steps
snippets.py   the text an LSP snippet inserts
completions.py  a completion request's caret and its answer's items (inline or not)
"""
