"""`codetape export` takes episode files (issue 74, item 5): given the folder a `codetape dataset build`
wrote, it says which command writes a dataset's episodes in a format; given any other folder, to give its
files. One line, the usage code."""

from __future__ import annotations

from pathlib import Path

from tests.cli import codetape
from tests.support.dataset_helpers import contributor, session, sign, upload
from tests.support.upload_helpers import one_error_line


def test_a_dataset_folder_is_answered_with_the_command_that_exports_it(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    signed = sign(alice, session(alice.home, 1))
    source = tmp_path / "source"
    upload(alice, source.as_uri(), signed)
    dataset = tmp_path / "dataset"
    built = codetape(
        tmp_path / "team",
        "dataset",
        "build",
        source.as_uri(),
        "-o",
        str(dataset),
        "--trust",
        str(alice.trust_file(tmp_path)),
    )
    assert built.returncode == 0, built.stderr

    done = codetape(tmp_path / "team", "export", str(dataset), "-f", "atif", "-o", str(tmp_path / "out"))
    one_error_line(
        done,
        2,
        f"{dataset} is a dataset, and export takes episode files",
        f"codetape dataset build SOURCE -o {dataset} --exports atif",
        f"{dataset}/exports/atif/",
    )
    assert not (tmp_path / "out").exists()

    folder = signed.parent
    done = codetape(tmp_path / "team", "export", str(folder), "-f", "atif", "-o", str(tmp_path / "out"))
    one_error_line(done, 2, f"{folder} is a folder, and export takes episode files", f"{folder}/*.ctape")
