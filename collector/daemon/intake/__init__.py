"""A step's way into the open episode, in one pass of three stages, each taking what the one before
returns (the import-linter contract `daemon-intake` holds them in this order):

    admit.py   decode, policy, mentions: a step that came becomes its `Step` (once) if the recording policy
               lets it
    hold.py    what is written now, possibly several steps, and what waits: the watcher's changes held
               for the editor's steps, the agents' claims, the editors' reloads, a connection's documents
    write.py   the open episode as the intake knows it: the documents the editors have open follow what is
               written, a watcher's write of an open document becomes its unsaid `save`

A pass that may write is a generator of the write stage's events: `EpisodeWanted` when a step needs the open
episode and none is known. The session (session.py) drives each pass under its lock, answers with the
episode it owns or opens, and decides when it seals; no module here knows the session.
"""
