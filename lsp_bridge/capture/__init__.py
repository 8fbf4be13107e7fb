"""What an editor says about its documents, turned into steps (both modes; one thread).

handlers.py    `EditorCapture`: the handler table; diagnostics and cursors
sync.py        text sync: `open`, `edit`, `close`, with version reordering
resync.py      the check at save: the bridge's copy against the editor's, and a `save` step
files.py       files created, renamed, deleted, and changes on disk the editor watched
actions.py     what the developer did with the server's help (proxy mode): completions, code actions
extensions.py  `codetape/*` notifications from editor extensions and the `codetape.*` commands
"""
