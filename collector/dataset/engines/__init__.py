"""Engines: the per-episode transform and what runs it, a local process pool or Ray (over output/).

    transform.py   the per-episode transform both engines run: checks, then rows
    kept.py        the rows one process keeps: a writer per table, spilled together, Parquet at the end
    sink.py        where verdicts go: the duplicate rule, `rejected`, the tally behind the progress bar
    exports.py     --exports: the episodes also in training formats, staged in the same pass
    local.py       the local engine: a process pool over the cores, each worker writing its own rows
    workers.py     its worker processes: spawned at once, kept for the build, calls sent to each
    batches.py     the ray engine's batches, without Ray
    ray_engine.py  the ray engine: batches of episodes as Ray tasks (imports ray; `codetape[ray]`)
    ray_local.py   the local Ray a build starts without --ray-address: loopback only, a token
    allocator.py   Arrow's allocator in a build's processes (jemalloc), glibc's malloc giving memory back
"""
