"""Whether an episode is faithful: it replays exactly, and its commits match the real repository.

    integrity.py    verify_replay(): edits land in open documents, every save's hash matches
    against_git.py  every recorded commit against the commit's tree in a real git repository

Signatures are checked by collector.consent.verify; the container by the episode reader itself.
"""
