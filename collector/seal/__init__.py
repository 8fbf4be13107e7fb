"""Sealing: a journal becomes a redacted episode file, atomically, and only then is the journal removed.

    journal.py    seal_journal(): the journal's intact prefix, validated, through a transform, into a .ctape
    redacted.py   the transform the collector uses: redaction before anything is written (seal_redacted)
    in_force.py   what the settings in force at the seal exclude, dropped first (made stricter mid-episode)
    exclude.py    exclude_files(): every step about an excluded file goes (the seal's and the review's)
    summaries.py  what is kept beside each episode: its redaction summary and capture exclusions
    gc_pause.py   batch work without the cyclic garbage collector's pauses
    tail.py       reading a journal while it is written: whole, intact frames only, re-checked at the end
    ahead.py      `python -m collector.seal.ahead`: the same seal run while the journal is recorded
"""
