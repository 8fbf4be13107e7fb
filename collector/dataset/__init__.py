"""Dataset builds: verified signed episodes in, Parquet tables out (local process pool or Ray).

`codetape dataset build SOURCE -o OUT` trusts nothing the source says: every episode is checked again and
every one left out is a row of `rejected`, with its reason. The package goes by stage, along an episode's
path from the bottom up (each stage imports only those under it: pyproject.toml's layers contract):

    errors.py   the dataset error tree, under every stage
    check/      SOURCE read back, and every check an episode passes: trust, issuers, licences, origins,
                revocations, retention, why one is left out
    rows/       the tables' schemas, and an episode's rows gathered while it replays (steps, edits,
                transitions, offers, survival labels, its row of `episodes`)
    output/     OUT: its filesystem, manifest, Parquet writers, snapshots, exports staged, what earlier
                builds left, withdrawals, retention's purges and their signed reports
    engines/    the per-episode transform and what runs it: the local process pool or Ray, each process's
                kept rows, the sink its verdicts go to, --exports
    card/       the dataset card (README.md, croissant.json) and its data dictionary
    build.py    one build: OUT's manifest, the listing, withdrawals, the engine, the card, the new manifest
    compact.py  `codetape dataset compact`: the small files merged, ending the earlier snapshots
"""
