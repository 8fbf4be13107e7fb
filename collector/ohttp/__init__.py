"""Oblivious HTTP (RFC 9458): a request sealed for a gateway and sent through a relay that cannot read it.

    bhttp.py          Binary HTTP messages (RFC 9292), known-length form: what is sealed
    keys.py           the gateway's key configuration (RFC 9458 section 3) and its key pair on disk
    encapsulation.py  a request sealed with HPKE (RFC 9180, through pyhpke) and its response sealed back
    limits.py         what one sealed request carries at most
    padding.py        a message padded to a size bucket before it is sealed
    descriptor.py     the gateway's descriptor: its key configuration, bucket and prefix, signed by its
                      operator (what a config or a managed policy pins)

One suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM (RFC 9458's example, every OHTTP
deployment's common one). The client in collector/upload/relay.py, the gateway in collector/gateway/.
"""
