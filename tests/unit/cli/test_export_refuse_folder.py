"""`codetape export` given a dataset's folder, or a folder inside one (its Parquet tables, its exports),
names `codetape dataset build --exports` rather than asking for the episode files a dataset does not hold
(issue 97, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.cli.commands.export import refuse_folder
from collector.dataset.output.output import MANIFEST
from collector.errors import UsageError


def refusal(path: Path) -> str:
    with pytest.raises(UsageError) as caught:
        refuse_folder(path, "atif")
    return str(caught.value)


def test_a_folder_inside_a_dataset_names_the_dataset_build(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    (dataset / "steps" / "day=2026-03-14").mkdir(parents=True)
    (dataset / MANIFEST).write_text("{}", encoding="utf-8")
    command = (f"`codetape dataset build SOURCE -o {dataset} --exports atif` writes its episodes into "
               f"{dataset}/exports/atif/")
    assert refusal(dataset) == (f"{dataset} is a dataset, and export takes episode files "
                                f"(a dataset holds none): {command}")
    inner = dataset / "steps" / "day=2026-03-14"
    assert refusal(inner) == (f"{inner} is in the dataset {dataset}, and export takes episode files "
                              f"(a dataset holds none): " + command)


def test_any_other_folder_is_asked_for_its_files(tmp_path: Path) -> None:
    (tmp_path / "episodes").mkdir()
    assert refusal(tmp_path / "episodes") == (
        f"{tmp_path}/episodes is a folder, and export takes episode files: give them "
        f"(e.g. {tmp_path}/episodes/*.ctape)")
    refuse_folder(tmp_path / "a.ctape", "atif")  # not a folder: left to the reader
