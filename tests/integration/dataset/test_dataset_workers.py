"""The local engine's worker processes (collector/dataset/engines/workers.py), spawned for real, and the
writer's leaving out of episodes ruled duplicates after their rows were spilled
(collector/dataset/output/writer.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collector.dataset.engines import workers as pool
from collector.dataset.engines.local import POOL_BYTES, POOL_EPISODES, LocalEngine, cores
from collector.dataset.errors import DatasetError, OutputFailed
from collector.dataset.output.output import open_output
from collector.dataset.output.writer import GATHER, TableWriter
from collector.dataset.rows.tables import STEPS
from schemas.config import UploadSettings


def answered_where(item: int) -> tuple[int, int | None, int]:
    return item, pool.number, os.getpid()


def which() -> tuple[int | None, int]:
    return pool.number, os.getpid()


def refuse(item: int) -> int:
    if item == 3:
        raise OutputFailed(f"cannot write item {item}")
    return item


def die(item: int) -> int:
    if item == 2:
        os._exit(3)
    return item


@pytest.fixture
def workers() -> Iterator[pool.Workers]:
    started = pool.Workers(2)
    yield started
    started.close()


def test_map_answers_in_the_order_of_the_items_from_every_worker(workers: pool.Workers) -> None:
    answers = list(workers.map(answered_where, list(range(40))))
    assert [item for item, _number, _pid in answers] == list(range(40))
    assert {number for _item, number, _pid in answers} == {0, 1}
    assert os.getpid() not in {pid for _item, _number, pid in answers}


def test_each_runs_once_in_every_worker_and_they_keep_their_state_between_calls(
        workers: pool.Workers) -> None:
    first = workers.each(which)
    assert [number for number, _pid in first] == [0, 1]
    assert len({pid for _number, pid in first}) == 2
    pids = {pid for _item, _number, pid in workers.map(answered_where, list(range(10)))}
    assert pids == {pid for _number, pid in first}
    assert workers.each(which) == first


def test_an_error_in_a_worker_is_raised_here_as_it_was_raised(workers: pool.Workers) -> None:
    with pytest.raises(OutputFailed, match="cannot write item 3"):
        list(workers.map(refuse, list(range(10))))


def test_a_worker_that_dies_is_one_error_and_close_still_returns(workers: pool.Workers) -> None:
    with pytest.raises(DatasetError, match="a worker process of the build died"):
        list(workers.map(die, list(range(10))))
    workers.close()
    assert not any(process.is_alive() for process in workers.processes)


def test_workers_never_used_are_stopped_at_once() -> None:
    started = pool.Workers(2)
    started.close()
    assert all(process.exitcode is not None for process in started.processes)


def test_after_a_map_left_unfinished_nothing_more_is_sent(workers: pool.Workers) -> None:
    answers = workers.map(answered_where, list(range(10)))
    assert next(answers)[0] == 0
    answers.close()
    with pytest.raises(DatasetError, match="still owe answers"):
        workers.each(which)


def steps(episode: str, count: int) -> pa.Table:
    return pa.Table.from_pylist(
        [{"episode_id": episode, "signer_key_id": "k", "step": i, "t_ms": i, "kind": "edit",
          "source": "bridge", "path": "a.py", "data": "{}", "month": "2026-03"} for i in range(count)],
        schema=STEPS)


def test_close_leaves_out_the_rows_of_dropped_episodes_across_spills(tmp_path: Path) -> None:
    out = open_output(str(tmp_path / "out"), UploadSettings())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    writer = TableWriter(out, "steps", 1, scratch)
    for name, count in (("a", 3), ("b", 4), ("c", 2), ("d", 5), ("e", 1)):
        writer.add(steps(name, count), "2026-03", f"sha-{name}")
        if name in "bd":
            writer.flush()  # spilled in three batches: a+b, c+d, e
    written = writer.close({"sha-b", "sha-e", "sha-unknown"})
    assert list(written.values()) == [3 + 2 + 5]
    found = pq.read_table(tmp_path / "out" / next(iter(written)))
    assert found.column("episode_id").to_pylist() == ["a"] * 3 + ["c"] * 2 + ["d"] * 5
    assert found.column("step").to_pylist() == [0, 1, 2, 0, 1, 0, 1, 2, 3, 4]
    assert not list(scratch.iterdir())


def test_many_small_tables_are_held_gathered_and_written_whole_in_order(tmp_path: Path) -> None:
    """An episode's few rows at a time (the build's `episodes` writer gets one row each): a partition holds
    at most GATHER tables, gathered into one as they come, and every row is written in order, those of the
    episodes dropped left out."""
    out = open_output(str(tmp_path / "out"), UploadSettings())
    writer = TableWriter(out, "steps", 1, tmp_path)
    names = [f"e{n:03d}" for n in range(3 * GATHER + 5)]
    for name in names:
        writer.add(steps(name, 1), "2026-03", f"sha-{name}")
        assert len(writer.pending["2026-03"]) <= GATHER
    written = writer.close({"sha-e007", f"sha-{names[-1]}"})
    assert list(written.values()) == [len(names) - 2]
    found = pq.read_table(tmp_path / "out" / next(iter(written)))
    assert found.column("episode_id").to_pylist() == [n for n in names if n not in ("e007", names[-1])]


def test_close_without_dropped_episodes_keeps_every_row(tmp_path: Path) -> None:
    out = open_output(str(tmp_path / "out"), UploadSettings())
    writer = TableWriter(out, "steps", 1, tmp_path)
    writer.add(steps("a", 3), "2026-03", "sha-a")
    writer.add(steps("b", 2), "2026-03")
    assert list(writer.close({"sha-x"}).values()) == [5]


def test_without_workers_the_engine_starts_a_pool_only_for_work_that_pays_for_it() -> None:
    """`codetape dataset build` without --workers: a few small episodes are checked in this process (a
    worker costs as much to start as checking 8 of them), enough of them in a worker per core, started
    once and kept for the build's exports."""
    engine = LocalEngine(0)
    try:
        engine.prepare(POOL_EPISODES - 1, POOL_BYTES - 1)
        assert engine.pool is None and engine.workers == 1
        engine.prepare(POOL_EPISODES, 0)
        wanted = min(cores(), POOL_EPISODES)
        assert engine.workers == wanted and (engine.pool is not None) == (wanted > 1)
        started = engine.pool
        engine.prepare(POOL_EPISODES * 4, POOL_BYTES * 4)
        assert engine.pool is started
        if started is not None:
            assert sorted(number for number, _pid in started.each(which)) == list(range(wanted))
    finally:
        engine.close()


def test_workers_given_are_started_at_once_whatever_the_work() -> None:
    engine = LocalEngine(2)
    try:
        assert engine.pool is not None and engine.workers == 2
        engine.prepare(1, 10)
        assert engine.workers == 2 and [number for number, _pid in engine.pool.each(which)] == [0, 1]
    finally:
        engine.close()
