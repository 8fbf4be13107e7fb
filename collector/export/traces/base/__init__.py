"""What the trace formats share, under every family (pyproject.toml's export-families contract).

    atif_steps.py  an episode's steps as ATIF steps (atif.py's)
    swe_calls.py   an episode's steps as tool calls (swe_messages.py's, stepwise's)
"""
