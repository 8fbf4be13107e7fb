"""`codetape gateway serve`: the Oblivious HTTP gateway (RFC 9458) in front of the receiver's store.

    rules.py    what an opened request may do: write one episode, manifest or revocation record, or read
                the issuer's record; anything else is refused, one shape for every refusal
    record.py   the copy of the issuer's members record the gateway serves (fetched when it starts and
                every RECORD_REFRESH_S, so an upload run never makes the issuer see anyone)
    server.py   the HTTP server the relay forwards to: opens, decides, writes with its own credential,
                answers sealed; no log of what a request held, never a client header read
"""
