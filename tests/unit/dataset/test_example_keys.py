"""The split-crossing pass's key index (collector/dataset/output/example_keys.py, issue 107): over generated
datasets (builds of files in train and eval, identical examples across splits and builds, withdrawals, an
index file deleted, damaged or of another schema, a file changed), the pass leaves out exactly what parsing
every earlier file does; once the index is complete no earlier export file is read; a withdrawn file's
rows and keys leave the index in the build that follows its withdrawal."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collector.dataset.output.cross_split import OutFiles, dedup_build, earlier_files
from collector.dataset.output.example_keys import KEYS_FOLDER, MOST_FILES, by_folder, read_folder
from collector.dataset.output.output import Output, open_output
from collector.export.edits.base.examples import dedup, keyed, parsed
from schemas.config import UploadSettings

SIGNERS = ("s0", "s1", "s2")
TEXTS = tuple(f"text {n}" for n in range(6))  # few: the same examples on both sides, in several builds


def line(split: str, text: str) -> bytes:
    return (json.dumps({"prompt": "p", "completion": text, "label": True, "split": split}) + "\n").encode()


def reference(out: Output, added: list[str]) -> tuple[Counter[str], int]:
    """The pass before the index: every earlier file parsed."""
    published, files = set(added), OutFiles(out)
    now = sorted(path for path in published if path.endswith(".kto.jsonl"))
    done = dedup("kto", files, now, parsed("kto", files, earlier_files(out, "kto", published)))
    return done.left_out, done.earlier_leaks


def exports(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted((root / "exports").rglob("*")) if path.is_file()}


def parsed_keys(root: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Every export file's examples, parsed: its path -> its (split, key)s, sorted."""
    return {path: sorted(keyed("kto", text) for text in data.splitlines() if text.strip())
            for path, data in exports(root).items()}


def indexed_keys(out: Output, root: Path) -> dict[str, list[tuple[str, bytes]]]:
    """What the index says of every file it takes: as above."""
    found: dict[str, list[tuple[str, bytes]]] = {}
    for signer in SIGNERS:
        folder = root / "exports" / "kto" / signer
        listed = {path.name: path.stat().st_size for path in folder.glob("*")} if folder.exists() else {}
        index = read_folder(out, by_folder(out, "kto").get(signer, []))
        assert not index.bad and not index.replaced and len(index.files) <= MOST_FILES + 1
        assert set(index.latest) == set(listed) and index.matching(listed) == set(listed)
        rows = index.rows(set(listed))
        for name, split, key in zip(*(rows.column(c).to_pylist() for c in ("name", "split", "key")),
                                    strict=True):
            examples = found.setdefault(f"exports/kto/{signer}/{name}", [])
            if key is not None:
                examples.append((split, key))
    return {path: sorted(examples) for path, examples in found.items()}  # (their order is of no matter)


class Dataset:
    """Two copies of one generated dataset: `indexed` built with the index, `plain` by the reference."""

    def __init__(self, tmp_path: Path, seed: int) -> None:
        self.random = random.Random(seed)
        self.roots = tmp_path / "indexed", tmp_path / "plain"
        self.outs = [open_output(str(root), UploadSettings()) for root in self.roots]
        self.made = 0
        self.withdrawn: list[str] = []

    def both(self, path: str, data: bytes) -> None:
        for root in self.roots:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)

    def content(self) -> bytes:
        sides = ("train", "train", "eval", "none")
        return b"".join(line(self.random.choice(sides), self.random.choice(TEXTS))
                        for _n in range(self.random.randint(0, 4)))

    def build(self, number: int) -> None:
        earlier = sorted(exports(self.roots[0]))
        for path in self.random.sample(earlier, min(len(earlier), self.random.randint(0, 2))):
            self.withdrawn.append(path)
            for root in self.roots:
                (root / path).unlink()
        earlier = sorted(exports(self.roots[0]))
        if earlier and self.random.random() < 0.2:  # a file changed: its size is not the one indexed
            path = self.random.choice(earlier)
            self.both(path, (self.roots[0] / path).read_bytes() + line("eval", self.random.choice(TEXTS)))
        self.damage()
        added = []
        for _n in range(self.random.randint(1, 4)):
            if self.withdrawn and self.random.random() < 0.15:  # exported again under a withdrawn name
                path = self.withdrawn.pop()
            else:
                self.made += 1
                path = f"exports/kto/{self.random.choice(SIGNERS)}/e{self.made}.kto.jsonl"
            if path not in added and not (self.roots[0] / path).exists():
                self.both(path, self.content())
                added.append(path)
        done = dedup_build(self.outs[0], ("kto",), added, number)
        assert (done.left_out["kto"], done.leaks["kto"]) == reference(self.outs[1], added)
        assert exports(self.roots[0]) == exports(self.roots[1])

    def damage(self) -> None:
        """Sometimes an index file deleted, made garbage, or of another schema."""
        files = sorted((self.roots[0] / KEYS_FOLDER).rglob("*.parquet"))
        if not files or self.random.random() < 0.6:
            return
        path = self.random.choice(files)
        kind = self.random.randrange(6)
        if kind >= 4 and self.random.random() < 0.5:  # rows of one file apart, or of two sizes
            rows = pq.read_table(path)
            if kind == 4:
                rows = rows.take(sorted(range(rows.num_rows), key=lambda n: (n % 2, n)))
            else:
                sizes = rows.column("size").to_pylist()
                rows = rows.set_column(1, "size", pa.array([size + (n == 0) for n, size in enumerate(sizes)]))
            pq.write_table(rows, path)
        elif kind == 0:
            path.unlink()
        elif kind == 1:
            path.write_bytes(b"PAR1 not a parquet file")
        elif kind == 2:
            pq.write_table(pa.table({"name": ["x"], "size": [1]}), path)
        else:
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


@pytest.mark.parametrize("seed", range(24))
def test_the_indexed_pass_leaves_out_what_parsing_every_file_does(tmp_path: Path, seed: int) -> None:
    dataset = Dataset(tmp_path, seed)
    for number in range(1, 13):
        dataset.build(number)
        assert indexed_keys(dataset.outs[0], dataset.roots[0]) == parsed_keys(dataset.roots[0])


def test_a_dataset_without_an_index_is_indexed_as_it_is_read(tmp_path: Path) -> None:
    dataset = Dataset(tmp_path, 99)
    for number in range(1, 5):
        dataset.build(number)
    shutil.rmtree(dataset.roots[0] / KEYS_FOLDER)  # built before the index
    dataset.build(5)
    assert indexed_keys(dataset.outs[0], dataset.roots[0]) == parsed_keys(dataset.roots[0])


def test_with_a_complete_index_no_earlier_export_file_is_read(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = Dataset(tmp_path, 7)
    for number in range(1, 4):
        dataset.build(number)
    read: list[str] = []
    original = OutFiles._read

    def counted(self: OutFiles, name: str) -> Iterator[bytes]:
        read.append(name)
        return original(self, name)

    monkeypatch.setattr(OutFiles, "_read", counted)
    before = set(exports(dataset.roots[0]))
    added = ["exports/kto/s1/late.kto.jsonl", "exports/kto/s2/later.kto.jsonl"]
    for path in added:
        dataset.both(path, line("eval", TEXTS[0]) + line("train", TEXTS[1]))
    dedup_build(dataset.outs[0], ("kto",), added, 4)
    assert read and set(read) <= set(added) and not set(read) & before


def test_a_withdrawn_files_rows_and_keys_leave_the_index(tmp_path: Path) -> None:
    out = open_output(str(tmp_path), UploadSettings())
    folder = tmp_path / "exports" / "kto" / "s0"
    folder.mkdir(parents=True)
    (folder / "kept.kto.jsonl").write_bytes(line("train", "shared"))
    (folder / "gone.kto.jsonl").write_bytes(line("train", "shared") + line("eval", "only the withdrawn one"))
    (tmp_path / "exports" / "kto" / "s1").mkdir()
    (tmp_path / "exports" / "kto" / "s1" / "alone.kto.jsonl").write_bytes(line("eval", "alone"))
    dedup_build(out, ("kto",), ["exports/kto/s0/kept.kto.jsonl", "exports/kto/s0/gone.kto.jsonl",
                                "exports/kto/s1/alone.kto.jsonl"], 1)
    secret = keyed("kto", line("eval", "only the withdrawn one"))[1]
    alone = keyed("kto", line("eval", "alone"))[1]
    assert secret in _index_keys(tmp_path) and alone in _index_keys(tmp_path)
    (folder / "gone.kto.jsonl").unlink()  # withdrawn by the next build, before its pass
    (tmp_path / "exports" / "kto" / "s1" / "alone.kto.jsonl").unlink()
    (folder / "new.kto.jsonl").write_bytes(line("eval", "new"))
    dedup_build(out, ("kto",), ["exports/kto/s0/new.kto.jsonl"], 2)
    names = {name for path in (tmp_path / KEYS_FOLDER).rglob("*.parquet")
             for name in pq.read_table(path).column("name").to_pylist()}
    assert names == {"kept.kto.jsonl", "new.kto.jsonl"}
    assert secret not in _index_keys(tmp_path) and alone not in _index_keys(tmp_path)
    assert not list((tmp_path / KEYS_FOLDER / "kto" / "s1").glob("*"))


def _index_keys(root: Path) -> set[bytes]:
    return {key for path in (root / KEYS_FOLDER).rglob("*.parquet")
            for key in pq.read_table(path).column("key").to_pylist() if key is not None}
