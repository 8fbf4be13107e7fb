"""`dataset build --exports` in the pass that builds the rows (collector/dataset/output/staged.py): every
per-episode format's file is byte for byte what `codetape export --format F` writes for that episode and
its split, with a pool of workers and in one process alike; a duplicate's files are never published; a
format named by a later build is exported for the episodes already in the dataset."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from collector.dataset.engines.exports import export_formats
from collector.dataset.output.twins import SCHEMAS, TWIN
from collector.episode import open_episode, write_episode_file
from collector.export import FORMATS
from collector.export.result import SPLIT_FORMATS, ExportResult
from schemas import EpisodeHeader, WorkspaceIdentity
from tests.cli import codetape
from tests.integration.export.test_export_dpo_agent import indented
from tests.support.dataset_helpers import (
    as_exported,
    content,
    contributor,
    duck,
    export_files,
    place,
    session,
    sign,
    upload,
)
from tests.support.debugging import debugging

FIXTURES = ("full", "offers", "agents", "origins", "unicode")


def files(out: Path, fmt: str) -> dict[str, bytes]:
    """The export files of `fmt`, but their Parquet twins (collector/dataset/output/twins.py)."""
    return {path.removeprefix(f"{fmt}/"): data for path, data in export_files(out).items()
            if path.startswith(f"{fmt}/") and not (fmt in SCHEMAS and path.endswith(TWIN))}


def test_exports_made_in_the_build_pass_are_what_codetape_export_writes(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    episodes = [sign(alice, session(alice.home, seed, profile))
                for seed, profile in ((31, "training"), (32, "mixed"), (33, "edit-heavy"), (34, "training"))]
    upload(alice, (tmp_path / "source").as_uri())
    # the first episode again under another name: the same steps, a duplicate the build leaves out
    again = sign(alice, session(alice.home, 31, "training"), target=tmp_path / "again.ctape")
    place(tmp_path / "source", again)
    formats = export_formats()
    assert "zeta2" in formats and "swe-messages" in formats and "progsnap2-zip" in formats
    pooled, alone = tmp_path / "pooled", tmp_path / "alone"
    for out, workers in ((pooled, "2"), (alone, "1")):
        done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                        "--workers", workers, "--exports", ",".join(formats))
        assert done.returncode == 0, done.stderr
        assert "1 rejected" in done.stdout, done.stdout  # the duplicate

    splits = dict(duck(pooled).execute("SELECT episode_id, split FROM episodes").fetchall())
    ids = {str(open_episode(path).header.episode_id): path for path in episodes}
    assert set(splits) == set(ids)
    signer = alice.key.key_id
    manifest = json.loads((pooled / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["builds"][0]["exports"] == dict.fromkeys(formats, len(ids))
    assert manifest["builds"][0]["export_failures"] == 0
    # what each export left out, by reason, as its exporter counts it for the same episodes and splits
    counted: dict[str, Counter[str]] = {}
    for fmt in formats:
        for episode_id, path in ids.items():
            result = ExportResult(fmt, tmp_path / "counted" / fmt / episode_id)
            result.out_dir.mkdir(parents=True)
            result.splits = {episode_id: splits[episode_id]}
            with FORMATS[fmt].open(result.out_dir, result) as exporter:
                exporter.add(open_episode(path))
            counted.setdefault(fmt, Counter()).update(result.skipped)
    left = {fmt: dict(reasons) for fmt, reasons in counted.items() if reasons}
    assert left.get("zeta2") and manifest["builds"][0]["left_out"] == left, (manifest["builds"][0], left)
    record = json.loads((pooled / "_builds" / "b00001.json").read_text(encoding="utf-8"))
    assert record["left_out"] == left
    card = (pooled / "README.md").read_text(encoding="utf-8")
    said = [f"{count:,} {why}" for reasons in left.values() for why, count in reasons.items()]
    assert all(text in card for text in said), (said, card)
    for fmt in formats:
        built = files(pooled, fmt)
        assert built == files(alone, fmt), fmt  # one process and a pool of workers: the same bytes
        suffix = next(iter(built)).split(".", 1)[1]
        assert set(built) == {f"{signer}/{episode_id}.{suffix}" for episode_id in ids}, fmt  # no duplicate
        if fmt in SCHEMAS:  # each file of rows with its Parquet twin, the same rows
            for name, data in built.items():
                twin = pooled / "exports" / fmt / name.replace(".jsonl", TWIN)
                rows = [json.loads(line) for line in data.splitlines()]
                assert ([as_exported(row) for row in pq.read_table(twin).to_pylist()] if twin.exists() else
                        []) == rows, (fmt, name)
        for episode_id, path in ids.items():
            into = tmp_path / "cli" / fmt / episode_id
            done = codetape(alice.home.root, "export", str(path), "--format", fmt, "-o", str(into))
            assert done.returncode == 0, done.stderr
            (written,) = into.iterdir()
            expected = content(written.read_bytes())
            if fmt in SPLIT_FORMATS and expected:  # alone, `codetape export` decides the split itself
                # (an episode without a preference pair: an empty dpo file)
                said = json.loads(expected.splitlines()[0])
                alone_split = said["codetape"]["split"] if fmt == "zeta" else said.get("split") or \
                    next(tag for tag in said["tags"] if tag.startswith("split:"))[6:]
                expected = expected.replace(f'"split":"{alone_split}"'.encode(),
                                            f'"split":"{splits[episode_id]}"'.encode()) \
                    .replace(f'"split:{alone_split}"'.encode(), f'"split:{splits[episode_id]}"'.encode())
            assert built[f"{signer}/{episode_id}.{suffix}"] == expected, (fmt, episode_id)


def test_a_format_named_later_is_exported_for_the_episodes_already_built(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    first = sign(alice, session(alice.home, 41, "training"))
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--exports", "atif")
    assert done.returncode == 0, done.stderr
    second = sign(alice, session(alice.home, 42, "mixed"))
    upload(alice, (tmp_path / "source").as_uri(), second)
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--exports", "swe-messages")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["exports"] == ["atif", "swe-messages"]
    assert manifest["builds"][1]["exports"] == {"atif": 1, "swe-messages": 2}  # the new one, and both
    splits = dict(duck(out).execute("SELECT episode_id, split FROM episodes").fetchall())
    for path in (first, second):
        episode_id = str(open_episode(path).header.episode_id)
        for fmt, suffix in (("atif", "atif.json"), ("swe-messages", "swe-messages.jsonl")):
            built = (out / "exports" / fmt / alice.key.key_id / f"{episode_id}.{suffix}").read_bytes()
            into = tmp_path / "cli" / fmt / episode_id
            done = codetape(alice.home.root, "export", str(path), "--format", fmt, "-o", str(into))
            assert done.returncode == 0, done.stderr
            expected = (into / f"{episode_id}.{suffix}").read_bytes()
            if fmt == "swe-messages":
                for row in map(json.loads, built.splitlines()):
                    assert row["split"] == splits[episode_id]
                alone_split = json.loads(expected.splitlines()[0])["split"]
                expected = expected.replace(f'"split":"{alone_split}"'.encode(),
                                            f'"split":"{splits[episode_id]}"'.encode())
            assert built == expected, (fmt, episode_id)


def test_every_json_export_folder_loads_with_datasets_in_any_file_order(tmp_path: Path) -> None:
    """Issue 55, item 5: `datasets.load_dataset("json")` over a whole export folder takes each column's type
    from the first file it reads and refuses a later one whose type differs (a column all null in one
    episode's file, a number or text in the next; times in two formats)."""
    import datasets

    alice = contributor(tmp_path, "alice")
    for seed, profile in ((41, "training"), (42, "mixed"), (43, "edit-heavy")):
        sign(alice, session(alice.home, seed, profile))
    for name in FIXTURES:  # the golden episodes: an AI's offers, agents, origins, unicode, every step kind
        sign(alice, Path(__file__).parents[2] / "fixtures" / "episodes" / f"{name}.ctape")
    fixing = debugging(41)  # failing tests made green (stepwise's rows: the sessions above have none)
    write_episode_file(tmp_path / "debugging.ctape", fixing.header, fixing.steps)
    sign(alice, tmp_path / "debugging.ctape")
    refined = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),  # an agent's write rewritten:
                            started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # dpo-agent's rows (none
                            workspace=WorkspaceIdentity(root_name="demo"))  # of the episodes above makes one)
    write_episode_file(tmp_path / "refined.ctape", refined, indented())
    sign(alice, tmp_path / "refined.ctape")
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "built"
    # (`jsonl` is the lossless dump, its lines of different fields by kind: `jsonl-rows` is its twin for
    # `datasets`, as the README says; `progsnap2-zip` is a zip of CSV tables)
    formats = [fmt for fmt in export_formats() if fmt not in ("jsonl", "progsnap2-zip")]
    assert "jsonl-rows" in formats
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--exports", ",".join(formats))
    assert done.returncode == 0, done.stderr
    refused = {}
    for fmt in formats:
        found = sorted(str(path) for path in (out / "exports" / fmt).rglob("*.json*")
                       if path.stat().st_size)  # (an episode with no example: an empty file, no columns)
        assert found, fmt
        if (FORMATS[fmt].suffix or "").endswith(".jsonl"):  # (issue 99, item 4)
            columns = {frozenset(json.loads(line)) for path in found for line in Path(path).read_text(
                encoding="utf-8").splitlines() if line.strip()}
            assert len(columns) == 1, (fmt, columns)  # every column in every row, null where it has none
        for order in (found, found[::-1]):
            try:
                datasets.load_dataset("json", data_files=order, split="train", cache_dir=str(tmp_path / "hf"))
            except Exception as exc:  # (what datasets raises: its generation error, a cast error)
                refused[fmt] = f"{type(exc).__name__}: {exc}"[:300]
    assert refused == {}, refused
