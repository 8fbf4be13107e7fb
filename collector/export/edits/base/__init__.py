"""What the edit formats share, under every family (pyproject.toml's export-families contract).

    bursts.py    edit bursts: a run of edits to one file with no other step between them but cursor and
                 diagnostics reports, none more than 3 s after the one before (atif, zeta, progsnap2, ...)
    examples.py  the key of each split format's example, and the eval examples identical to a train one
"""
