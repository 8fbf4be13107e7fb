"""Output: OUT, what a build writes there and what earlier builds left (over rows/ and check/).

    output.py        OUT as a pyarrow filesystem (a directory, or s3://)
    s3_lock.py       one build at a time in an s3:// OUT: a lock made by a conditional write
    manifest.py      OUT/_manifest.json: inputs, builds, counts, the files that belong to the dataset
    writer.py        one table's rows: held, spilled per month, Parquet parts; rewriting a file without
                     some episodes
    blob_store.py    `blobs` across builds: every file text once, by its SHA-256
    layout.py        every table's schema, and a file for every table that has no rows
    staged.py        the exports made in the pass that builds the rows, staged, then published
    cross_split.py   exports without an example on both sides of the split
    example_keys.py  OUT/_keys/FORMAT/SIGNER/bNNNNN.parquet: the exports' example keys, for that pass
    snapshots.py     OUT/_builds/bNNNNN.json: each build's exact files, for a run to pin; a purge of every
                     snapshot
    known.py         what earlier builds made; the duplicate rule
    withdraw.py      revoked since built: their rows copied out of the files that hold them
    retention.py     past its retain_until: an episode's rows purged, and the record of it
    purge_report.py  `codetape dataset purge-report`: the receiver's signed account of the purges
    receiver_key.py  the receiver's Ed25519 key, which signs that account
"""
