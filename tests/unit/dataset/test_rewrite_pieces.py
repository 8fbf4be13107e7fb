"""A withdrawal's copy of a file without some episodes' rows (output/writer.py `rewrite`, `episodes_in`): a
piece at a time, whatever the file's row groups (issue 107: a month's file of a million-episode dataset)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from collector.dataset.output.output import open_output
from collector.dataset.output.writer import ROW_GROUP_BYTES, episodes_in, rewrite
from collector.dataset.rows.tables import ROW_GROUP_ROWS
from schemas.config import UploadSettings

ROWS = 300_000  # more than a row group of `edits` (262,144), in one


def a_file(tmp_path: Path) -> tuple[Path, str]:
    episodes = pa.array([f"e{k % 1000:04d}" for k in range(ROWS)])
    table = pa.table({"episode_id": episodes, "signer_key_id": pa.array(["k"] * ROWS),
                      "text": pa.array([f"{k:08d}" * 8 for k in range(ROWS)]), "n": pa.array(range(ROWS))})
    (tmp_path / "edits").mkdir(parents=True)
    pq.write_table(table, tmp_path / "edits/a.parquet", row_group_size=ROWS)  # one row group, ~25 MB
    return tmp_path, "edits/a.parquet"


def test_a_copy_leaves_out_only_the_episodes_named_in_row_groups_within_the_bound(tmp_path: Path) -> None:
    root, source = a_file(tmp_path)
    out = open_output(str(root), UploadSettings())
    asked = {("e0007", "k"), ("e0007", "x"), ("zz", "k")}
    assert episodes_in(out, "edits", source, asked) == {("e0007", "k")}
    assert rewrite(out, "edits", source, "edits/b.parquet", {("e0007", "k"), ("e0999", "k")}) == ROWS - 600
    copy = pq.ParquetFile(root / "edits/b.parquet")
    sizes = [copy.metadata.row_group(i).num_rows for i in range(copy.num_row_groups)]
    assert sum(sizes) == ROWS - 600 and max(sizes) <= ROW_GROUP_ROWS["edits"]
    assert max(copy.read_row_group(i).nbytes for i in range(copy.num_row_groups)) <= ROW_GROUP_BYTES * 1.1
    kept = copy.read(columns=["episode_id", "n"])
    assert set(kept.column("episode_id").to_pylist()).isdisjoint({"e0007", "e0999"})
    assert kept.column("n").to_pylist() == [k for k in range(ROWS) if k % 1000 not in (7, 999)]  # in order


def test_a_copy_without_episodes_it_holds_is_the_same_rows(tmp_path: Path) -> None:
    root, source = a_file(tmp_path)
    out = open_output(str(root), UploadSettings())
    assert episodes_in(out, "edits", source, {("nobody", "k")}) == set()
    assert rewrite(out, "edits", source, "edits/b.parquet", {("nobody", "k")}) == ROWS
    assert pq.read_table(root / "edits/b.parquet").equals(pq.read_table(root / source))
