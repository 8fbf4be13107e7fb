"""A build's exports without an example on both sides (collector/dataset/output/cross_split.py): the files
over OUT read a chunk at a time, a line across two chunks whole; an earlier build's files (every other file
of the format, listed a folder at a time) never changed; the card's line per format."""

from __future__ import annotations

import json
from pathlib import Path

from collector.dataset.card.facts import Facts
from collector.dataset.card.scores import scorecard, scores
from collector.dataset.output.cross_split import OutFiles, dedup_build, earlier_files
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import open_output
from schemas.config import UploadSettings


def line(split: str, output: str) -> bytes:
    return (json.dumps({"events": "", "input": "<|editable_region_start|>\nx\n", "output": output,
                        "codetape": {"split": split}}) + "\n").encode()


def test_examples_are_left_out_over_out_and_earlier_files_stay(tmp_path: Path) -> None:
    out = open_output(str(tmp_path / "out"), UploadSettings())
    folder = tmp_path / "out" / "exports" / "zeta" / "k1"
    folder.mkdir(parents=True)
    (folder / "old.zeta.jsonl").write_bytes(line("eval", "a") + line("train", "a"))
    (folder / "t.zeta.jsonl").write_bytes(line("train", "a" * 50) + line("train", "a"))
    (folder / "e.zeta.jsonl").write_bytes(line("eval", "b") + line("eval", "a" * 50) + line("eval", "c"))
    (folder / ".e.zeta.jsonl.tmp").write_bytes(b"an unfinished write")
    added = ["exports/zeta/k1/e.zeta.jsonl", "exports/zeta/k1/t.zeta.jsonl"]
    assert list(earlier_files(out, "zeta", set(added))) == ["exports/zeta/k1/old.zeta.jsonl"]
    done = dedup_build(out, ("zeta", "atif"), added, 2)
    assert done.left_out == {"zeta": {"eval": 1, "train": 1}} and done.leaks == {"zeta": 1}
    assert (folder / "t.zeta.jsonl").read_bytes() == line("train", "a" * 50)
    assert (folder / "e.zeta.jsonl").read_bytes() == line("eval", "b") + line("eval", "c")
    assert (folder / "old.zeta.jsonl").read_bytes() == line("eval", "a") + line("train", "a")
    small = OutFiles(out, chunk=7)  # lines across chunks, the last without its line break
    (folder / "n.zeta.jsonl").write_bytes(line("eval", "d") + line("eval", "e").rstrip(b"\n"))
    assert list(small.lines("exports/zeta/k1/n.zeta.jsonl")) == [line("eval", "d"),
                                                                  line("eval", "e").rstrip(b"\n")]
    small.rewrite("exports/zeta/k1/n.zeta.jsonl", {0})
    assert (folder / "n.zeta.jsonl").read_bytes() == line("eval", "e").rstrip(b"\n")


def test_the_card_counts_the_examples_left_out_per_format() -> None:
    manifest = DatasetManifest(source="file:///s", examples_left_out={"zeta2": {"eval": 26, "train": 2}},
                               example_leaks={"zeta2": 0})
    lines: dict[str, str] = dict(scorecard(scores(manifest, Facts(episodes=200))))
    assert lines["example leaks"] == ("zeta2: 26 eval examples left out (identical to a train example), "
                                      "2 train (identical to an eval example published before), 0 left in")
    none = scores(DatasetManifest(source="file:///s"), Facts(episodes=200))
    assert "example leaks" not in dict(scorecard(none))
