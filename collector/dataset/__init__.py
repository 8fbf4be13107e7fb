"""Dataset builds: verified signed episodes in, Parquet tables out (local process pool or Ray).

`codetape dataset build SOURCE -o OUT` trusts nothing the source says: every episode is checked again and
every one left out is a row of `rejected`, with its reason.

    build.py         one build: OUT's manifest, the listing, withdrawals, the engine, the new manifest
    source.py        SOURCE as the upload laid it out, read through the upload's stores
    transform.py     the per-episode transform both engines run: checks, then rows
    reasons.py       why an episode is left out, in the order the checks run
    revocations.py   a revocation record beside an episode, judged with its signer's key
    trust.py         --trust: the signers a build accepts
    issuers.py       --trust-issuer, --min-contributors: unlinkable episodes, and the months held back
    rows.py          an episode's steps, file states, test runs and commands, gathered while it replays
    episode_row.py   its row of `episodes`: header, consent statement, signer, counts
    tables.py        the tables' Arrow schemas, month partitions, row group sizes
    known.py         what earlier builds made; the duplicate rule
    sink.py          where verdicts go: the duplicate rule, `rejected`, the tally behind the progress bar
    kept.py          the rows one process keeps: a writer per table, spilled together, Parquet at the end
    writer.py        one table's rows: held, spilled per month, Parquet parts; rewriting a file without
                     some episodes
    withdraw.py      revoked since built: their rows copied out of the files that hold them
    output.py        OUT as a pyarrow filesystem (a directory, or s3://)
    manifest.py      OUT/_manifest.json: inputs, builds, counts, the files that belong to the dataset
    snapshots.py     OUT/_builds/bNNNNN.json: each build's exact files, for a run to pin; a revocation's
                     purge of every snapshot
    local.py         the local engine: a process pool over the cores, each worker writing its own rows
    workers.py       its worker processes: spawned at once, kept for the build, calls sent to each
    ray_engine.py    the ray engine: batches of episodes as Ray tasks (imports ray; `codetape[ray]`)
    ray_local.py     the local Ray a build starts without --ray-address: loopback only, a token
    allocator.py     Arrow's allocator in a build's processes (jemalloc), glibc's malloc giving memory back
    errors.py        the dataset error tree
"""
