"""What the editor (or an ACP client) talks to: the bridge's modes, on top of the rest.

observe.py   `codetape bridge`: a language server of its own beside the editor's real ones
early.py     observe mode's first `initialize` answer, before the recording side has loaded
proxy.py     `codetape bridge -- CMD`: a byte-exact relay in front of a real language server
traffic.py   proxy mode's reading of what it forwarded (translator thread, never the forwarding path)
acp.py       `codetape acp -- AGENT`: between an Agent Client Protocol client and its agent
"""
