"""The LSP base protocol and the bridge's plumbing, shared by every mode; nothing here records.

framing.py     `Content-Length` headers and bodies, split without judging them
pipes.py       the bridge's ends of its pipes: stdin read by a thread of its own, stdout
tap.py         a bounded queue from the forwarding threads to the translator thread
initialize.py  the `initialize` exchange: what both modes read from it, observe mode's answer
editor.py      the bridge's own messages to the editor: notifications and requests
reserved.py    `codetape/*` belongs to the bridge: what a proxied server may not send
"""
