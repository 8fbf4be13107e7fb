"""The typed tables, `transitions` and `blobs`, read back with DuckDB, pyarrow and Polars: every table a
file with the schema OUT/schemas ships (an empty one when it has no rows), each edit's offsets and deleted
text true to the text it changed, `transitions` replayed over `blobs` equal to `codetape checkout` at the
same step, each text once in the dataset, and a text two episodes share kept until both are revoked."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.ipc as ipc
import pytest

from collector.episode import open_episode
from schemas.steps import CursorStep, DiagnosticsStep, EditStep, GitStep
from tests.cli import codetape
from tests.support.dataset_helpers import (
    TABLES,
    contributor,
    duck,
    replay_against_checkout,
    revoke,
    session,
    sign,
    table_files,
    upload,
)


class Source:
    """Alice's two sessions, and one of them signed by Bob too (another episode, the same texts)."""

    def __init__(self, base: Path) -> None:
        self.base, self.source, self.out = base, base / "source", base / "out"
        self.source.mkdir()
        self.alice, self.bob = contributor(base, "alice"), contributor(base, "bob")
        shared = session(self.alice.home, 1, "mixed")
        self.episodes = {"alice1": sign(self.alice, shared),
                         "alice2": sign(self.alice, session(self.alice.home, 2, "edit-heavy")),
                         "bob1": sign(self.bob, shared, now=datetime(2026, 6, 2, tzinfo=UTC))}
        upload(self.alice, self.source.as_uri())
        upload(self.bob, self.source.as_uri())

    def build(self, out: Path | None = None, *args: str) -> None:
        done = codetape(self.base / "team", "dataset", "build", str(self.source), "-o", str(out or self.out),
                        *args)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Source:
    source = Source(tmp_path_factory.mktemp("tables"))
    source.build()
    return source


def _pyarrow(out: Path, table: str) -> pa.Table:
    return pads.dataset(str(out / table), format="parquet", partitioning="hive").to_table()


def _shipped(out: Path, table: str) -> pa.Schema:
    with ipc.open_file(str(out / "schemas" / f"{table}.arrow")) as reader:
        return reader.schema


def _every_reader_agrees(out: Path) -> dict[str, int]:
    """Rows per table, the same in DuckDB, pyarrow and Polars, each table read with the shipped schema."""
    con, counts = duck(out), {}
    for table in TABLES:
        shipped = _shipped(out, table)
        arrow = _pyarrow(out, table)
        assert set(arrow.schema.names) == set(shipped.names), table
        for field in shipped:
            found = arrow.schema.field(field.name).type
            assert found == field.type or (pa.types.is_dictionary(found) and field.name == "month"), \
                (table, field.name, found)
        polars = pl.scan_parquet(f"{out}/{table}/**/*.parquet", hive_partitioning=True).collect()
        ducked = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert ducked == (arrow.num_rows,) and polars.height == arrow.num_rows, table
        assert set(polars.columns) == set(shipped.names), table
        counts[table] = arrow.num_rows
    return counts


def test_every_table_is_read_by_duckdb_pyarrow_and_polars_with_the_schema_shipped(built: Source) -> None:
    counts = _every_reader_agrees(built.out)
    steps = [step for path in built.episodes.values() for step in open_episode(path).steps()]
    assert counts["edits"] == sum(len(step.changes) for step in steps if isinstance(step, EditStep))
    assert counts["diagnostics"] == sum(max(1, len(step.items)) for step in steps
                                        if isinstance(step, DiagnosticsStep))
    assert counts["git"] == sum(isinstance(step, GitStep) for step in steps) > 0
    assert counts["cursor"] == sum(isinstance(step, CursorStep) for step in steps)
    manifest = json.loads((built.out / "_manifest.json").read_text())
    for table, rows in counts.items():  # a table without rows is its one empty file, and only then
        empty = f"{table}/empty.parquet"
        assert (empty in manifest["files"][table]) == (rows == 0), table
        assert (built.out / empty).exists() == (rows == 0), table
    git = duck(built.out).execute("SELECT files FROM git WHERE op = 'commit' AND len(files) > 0 "
                                  "LIMIT 1").fetchone()
    assert git is not None and {"path", "added", "deleted", "change", "escaped"} == set(git[0][0])


def test_rows_are_valid_against_the_json_schema_shipped(built: Source) -> None:
    for table in TABLES:
        schema = json.loads((built.out / "schemas" / f"{table}.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        sample = _pyarrow(built.out, table).slice(0, 200).to_pylist()
        for row in sample:
            plain = json.loads(json.dumps(row, default=lambda value: value.isoformat()))
            jsonschema.validate(plain, schema)
    assert (built.out / "schemas" / "step.schema.json").exists()


def test_a_build_that_keeps_nothing_has_every_table_empty_for_every_reader(built: Source) -> None:
    nobody = built.base / "nobody.pub"
    nobody.write_text(contributor(built.base, "carol").key.public_b64 + "\n")
    out = built.base / "empty-out"
    built.build(out, "--trust", str(nobody))
    counts = _every_reader_agrees(out)
    assert counts.pop("rejected") == 3 and set(counts.values()) == {0}
    assert {path for path in table_files(out) if not path.startswith("rejected/")} == {
        f"{table}/empty.parquet" for table in TABLES if table != "rejected"}


def test_each_edit_replays_over_its_bursts_text_before_into_the_text_after(built: Source) -> None:
    con = duck(built.out)
    blobs = dict(con.execute("SELECT sha256, text FROM blobs").fetchall())
    bursts = con.execute("""
        SELECT episode_id, signer_key_id, path, first_step, last_step, before_sha256, after_sha256
        FROM transitions WHERE kind = 'edit' ORDER BY episode_id, signer_key_id, action""").fetchall()
    assert len(bursts) > 20
    for episode_id, signer, path, first, last, before, after in bursts:
        text = blobs[before]
        for start, end, inserted, deleted in con.execute("""
                SELECT start_offset, end_offset, inserted, deleted FROM edits
                WHERE episode_id = ? AND signer_key_id = ? AND path = ? AND step BETWEEN ? AND ?
                ORDER BY step, change""", [episode_id, signer, path, first, last]).fetchall():
            assert text[start:end] == deleted
            text = text[:start] + inserted + text[end:]
        assert text == blobs[after], (episode_id, first)


def test_transitions_replayed_over_blobs_are_checkout_at_the_same_step(built: Source, tmp_path: Path) -> None:
    replayed = replay_against_checkout(built.out, built.base / "team",
                                       {open_episode(path).header.episode_id: path
                                        for path in (built.episodes["alice1"], built.episodes["alice2"])},
                                       tmp_path, samples=4)
    assert replayed >= 8


def test_each_text_is_one_blob_and_a_shared_one_stays_until_both_episodes_are_revoked(
        built: Source) -> None:
    def references() -> tuple[set[str], dict[str, str]]:
        con = duck(built.out)
        named = {sha for (sha,) in con.execute(
            "SELECT sha256 FROM file_states UNION SELECT after_sha256 FROM transitions "
            "WHERE after_sha256 IS NOT NULL UNION SELECT before_sha256 FROM transitions "
            "WHERE before_sha256 IS NOT NULL").fetchall()}
        rows = con.execute("SELECT sha256, text FROM blobs").fetchall()
        blobs = dict(rows)
        assert len(rows) == len(blobs)  # each text once in the dataset
        assert all(hashlib.sha256(text.encode()).hexdigest() == sha for sha, text in rows)
        return named, blobs

    named, blobs = references()
    assert named == set(blobs)  # every text named is there, and nothing else
    alice1 = built.episodes["alice1"]
    revoke(built.alice, alice1)
    built.build()
    after_one, kept = references()
    assert after_one == set(kept)  # Bob's episode names the same texts: they stay, Alice's others too
    assert kept == blobs
    revoke(built.bob, built.episodes["bob1"])
    built.build()
    after_both, left = references()
    assert after_both == set(left) and 0 < len(left) < len(blobs)
    assert not list(built.out.glob("blobs/empty.parquet"))
    manifest = json.loads((built.out / "_manifest.json").read_text())
    assert table_files(built.out) == {path for files in manifest["files"].values() for path in files}

