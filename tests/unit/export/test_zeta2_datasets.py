"""A zeta2 folder loads with `datasets` by docs/exports.md's line whichever file comes first: `rejected_patch`
is in a few rows only (serde's Option), and `datasets` types a folder's columns from its first file."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import datasets
import pytest

from collector.export.zeta2 import LOAD_WITH_DATASETS

PAGE = Path(__file__).parents[3] / "docs" / "exports.md"
EXAMPLE = {"name": "e:1-2", "repository_url": "", "revision": "0" * 40, "tags": ["split:train", "codetape"],
           "uncommitted_diff": "", "cursor_path": "a.py", "cursor_position": "x = <|user_cursor|>\n",
           "edit_history": "", "expected_patches": ["--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x =\n+x = 1\n"]}


def test_the_readme_gives_the_line() -> None:
    assert LOAD_WITH_DATASETS in PAGE.read_text(encoding="utf-8")


@pytest.mark.parametrize("first", ["without", "with"])
def test_a_folder_loads_whichever_file_comes_first(tmp_path: Path, first: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf")
    plain, preferred = tmp_path / "a.zeta2.jsonl", tmp_path / "b.zeta2.jsonl"
    plain.write_text(json.dumps(EXAMPLE) + "\n", encoding="utf-8")
    preferred.write_text(json.dumps({**EXAMPLE, "rejected_patch": "--- a/a.py\n"}) + "\n", encoding="utf-8")
    files = [str(plain), str(preferred)] if first == "without" else [str(preferred), str(plain)]
    refused = pytest.raises(datasets.exceptions.DatasetGenerationError)  # (without the line: the later file's
    with refused if first == "without" else contextlib.nullcontext():  # column is refused)
        datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(tmp_path / "bare"))
    scope = {"datasets": datasets, "files": files}
    exec(LOAD_WITH_DATASETS, scope)
    loaded = scope["ds"]
    assert sorted(loaded["rejected_patch"], key=str) == sorted([None, "--- a/a.py\n"], key=str)
    assert loaded["expected_patches"][0] == EXAMPLE["expected_patches"]
