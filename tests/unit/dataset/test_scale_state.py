"""bench/dataset_scale.py's synthetic earlier episodes (issue 107): their per-step tables hold rows of the
tables' schemas at the stated rates, naming the episodes' ids, signers and months and texts of `blobs`; their
export files are hard links to one file per format; and docs/datasets.md quotes the bench's figures."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.dataset_tables import RATES, SCHEMAS, index_exports, link_exports, step_rows
from collector.dataset.output.example_keys import by_folder, read_folder
from collector.dataset.output.output import open_output
from collector.export.edits.base.examples import keyed
from schemas.config import UploadSettings


class _Manifest:
    """What step_rows asks of a manifest: the files it names."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, int]] = {}

    def add_file(self, table: str, path: str, rows: int) -> None:
        self.files.setdefault(table, {})[path] = rows


def test_the_per_step_tables_are_written_at_their_rates(tmp_path: Path) -> None:
    # (bench/dataset_scale.py measures memory with `resource`, which Windows' Python lacks: the simulated
    # unit tier runs this module's other tests)
    from bench.dataset_scale import episode_id, months_of

    manifest = _Manifest()
    size = 1200
    written = step_rows(tmp_path, manifest, months_of(size), episode_id,  # type: ignore[arg-type]
                        lambda k: f"signer-{k % 7}")
    for table, rate in RATES.items():
        assert abs(written[table] / size - rate) < rate * 0.05, (table, written[table])
        files = manifest.files[table]
        assert len(files) == 12 and sum(files.values()) == written[table]
        rows = pq.read_table(tmp_path / next(iter(files)))
        assert rows.schema == SCHEMAS[table]
        month, first, end = months_of(size)[0]
        ids = set(rows.column("episode_id").to_pylist())
        assert ids <= {episode_id(k) for k in range(first, end)} and len(ids) > (end - first) * 0.99
        assert set(rows.column("month").to_pylist()) == {month}
    first_edits = tmp_path / next(iter(manifest.files["edits"]))
    edits = pq.read_table(first_edits, columns=["survived_to_end"]).column(0)
    assert 0.08 < edits.null_count / len(edits) < 0.12
    assert pc.min(edits).as_py() >= 0 and pc.max(edits).as_py() <= 1
    texts = {hashlib.sha256(f"text {k}".encode()).hexdigest() for k in range(size)}
    states = pq.read_table(tmp_path / next(iter(manifest.files["file_states"])), columns=["sha256"])
    assert set(states.column(0).to_pylist()) <= texts


def test_the_export_files_are_hard_links_to_one_file_per_format(tmp_path: Path) -> None:
    from bench.dataset_scale import episode_id  # (as above: `resource`)

    template = tmp_path / "kto.jsonl"
    template.write_text('{"label": true}\n')
    twin = tmp_path / "kto.parquet"
    twin.write_bytes(b"PAR1")
    made = link_exports(tmp_path / "out", {"kto": [("kto.jsonl", template), ("kto.parquet", twin)]}, 50,
                        lambda k: f"signer-{k % 3}")
    assert made == 100
    files = sorted((tmp_path / "out" / "exports" / "kto").glob("*/*"))
    assert len(files) == 100 and {path.parent.name for path in files} == {"signer-0", "signer-1", "signer-2"}
    assert f"{episode_id(0)}.kto.jsonl" in {path.name for path in files}
    assert os.stat(template).st_nlink == 51  # one inode: directory entries, not files' writes


def test_the_export_files_keys_are_indexed_as_parsing_them_gives(tmp_path: Path) -> None:
    lines = [b'{"prompt": "p", "completion": "a", "label": true, "split": "train"}',
             b'{"prompt": "p", "completion": "b", "label": false, "split": "eval"}']
    kto, zeta = tmp_path / "kto.jsonl", tmp_path / "zeta.jsonl"
    kto.write_bytes(b"\n".join(lines) + b"\n")
    zeta.write_bytes(b"")  # a file without examples
    templates = {"kto": [("kto.jsonl", kto), ("kto.parquet", kto)], "zeta": [("zeta.jsonl", zeta)]}
    out = tmp_path / "out"
    link_exports(out, templates, 40, lambda k: f"signer-{k % 3}")
    assert index_exports(out, templates, 40, lambda k: f"signer-{k % 3}") == 6
    dataset = open_output(str(out), UploadSettings())
    for fmt in ("kto", "zeta"):
        for folder in sorted((out / "exports" / fmt).iterdir()):
            listed = {path.name: path.stat().st_size for path in folder.glob(f"*.{fmt}.jsonl")}
            index = read_folder(dataset, by_folder(dataset, fmt).get(folder.name, []))
            assert not index.bad and index.matching(listed) == set(listed) == set(index.latest)
            rows = index.rows(set(listed))
            found: dict[str, list[tuple[str, bytes]]] = {name: [] for name in listed}
            for name, split, key in zip(*(rows.column(c).to_pylist() for c in ("name", "split", "key")),
                                        strict=True):
                if key is not None:
                    found[name].append((split, key))
            assert found == {name: [keyed(fmt, text) for text in (folder / name).read_bytes().splitlines()
                                    if text.strip()] for name in listed}


# docs/datasets.md's "What each stage costs" rows -> bench/README.md's dataset-scale column they quote
QUOTED = {"listing the source": "listing", "reading what earlier builds kept (`Known`)": "known",
          "filling the split's store": "split fill", "the card's facts": "card facts",
          "placing a new episode: the split, the duplicate rule, its `episodes` row": "place",
          "the end-of-build counts (splits, duplicates, leaks)": "end counts",
          "the card's survival histogram over `edits`": "survival",
          "the card's label counts of the training exports": "export labels",
          "listing the export files": "export listing", "a withdrawal (its rows' files copied, `collect`)":
          "withdrawal"}


def _rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("|---")]


def _number(cell: str) -> float:
    return float(cell.split()[0].replace(",", ""))


def test_the_docs_quote_the_dataset_scale_figures() -> None:
    """docs/datasets.md's costs of the driver's passes and the build's peaks are bench/README.md's
    dataset-scale section's (bench/dataset_scale.py, one run): each pass's range over the sizes run, the
    peaks at each size; rerun the bench and update docs/datasets.md together."""
    root = Path(__file__).parents[3]
    readme = (root / "bench" / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- dataset-scale:start -->")[1].split("<!-- dataset-scale:end -->")[0]
    tables = section.split("\n\n")
    builds = _rows(next(part for part in tables if "build peak RSS (MiB)" in part))
    passes = _rows(next(part for part in tables if "(µs/episode)" in part))
    docs = (root / "docs" / "datasets.md").read_text(encoding="utf-8")
    stages = next(part for part in docs.split("**What each stage costs.**")[1].split("\n\n")
                  if part.startswith("| stage |"))
    costs = {row[0]: row[2] for row in _rows(stages)}
    head = [name.removesuffix(" (µs/episode)") for name in passes[0]]
    quoted = {QUOTED.get(row) for row in costs}
    assert {"listing", "known", "split fill", "end counts", "card facts"} <= quoted
    for stage, column in QUOTED.items():
        if stage not in costs:  # (a pass the docs do not quote)
            continue
        figures = sorted(_number(row[head.index(column)]) for row in passes[1:])
        unit = {"withdrawal": "s", "survival": "ns"}.get(column, "µs")
        low, high = (f"{figures[0]:.1f}", f"{figures[-1]:.1f}") if unit == "s" else \
            (f"{figures[0]:.0f}", f"{figures[-1]:.0f}")
        assert costs[stage].startswith(f"{low} to {high} {unit}"), (stage, costs[stage], figures)
    if "CPU (s)" in builds[0]:
        cpu = f"most of the {builds[1][8]} s of CPU the {builds[1][0]} build's processes used in all"
        assert cpu in docs, cpu
    peak = builds[0].index("build peak RSS (MiB)")
    peaks = ", ".join(f"{row[peak]} MiB at {row[0]}" for row in builds[1:])
    assert f"the build process peaked at {peaks}" in " ".join(docs.split()), peaks
