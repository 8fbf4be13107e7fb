"""ProgSnap2 code states written straight into an archive (collector/export/progsnap2/base.py `ZippedStates`):
the same states, ids and refusals as the directory export's, entries for every directory, links as links, the
same bytes every time."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from collector.errors import CheckoutRefused, EpisodeError
from collector.export.allowance import Allowance
from collector.export.progsnap2.base import CodeStates, ZippedStates
from collector.reconstruct.workspace import Workspace


def workspace(files: dict[str, str], links: dict[str, str] | None = None) -> Workspace:
    made = Workspace("utf-16")
    made.disk.update(files)
    made.links.update(links or {})
    return made


def allowance(limit: int = 1 << 20) -> Allowance:
    made = Allowance(0)
    made.limit = limit
    return made


def zipped(*states: Workspace) -> tuple[bytes, list[str]]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        zipped_states = ZippedStates(archive)
        ids = [zipped_states.id_of(state, allowance()) for state in states]
    return buffer.getvalue(), ids


def test_a_state_holds_its_files_directories_and_links_as_the_directory_export_does(tmp_path: Path) -> None:
    state = workspace({"a.py": "print(1)\n", "pkg/deep/b.py": "x = 'é'\n"}, {"pkg/link.py": "deep/b.py"})
    data, (state_id,) = zipped(state)
    on_disk = CodeStates(tmp_path)
    assert on_disk.id_of(state, allowance()) == state_id
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        root = f"CodeStates/{state_id}"
        assert sorted(infos) == sorted(["CodeStates/", f"{root}/", f"{root}/a.py", f"{root}/pkg/",
                                        f"{root}/pkg/deep/", f"{root}/pkg/deep/b.py", f"{root}/pkg/link.py"])
        for name in ("a.py", "pkg/deep/b.py"):
            assert archive.read(f"{root}/{name}") == (tmp_path / "CodeStates" / state_id / name).read_bytes()
            assert stat.S_ISREG(infos[f"{root}/{name}"].external_attr >> 16)
        link = infos[f"{root}/pkg/link.py"]
        assert stat.S_ISLNK(link.external_attr >> 16) and archive.read(link) == b"deep/b.py"
        assert (tmp_path / "CodeStates" / state_id / "pkg" / "link.py").readlink() == Path("deep/b.py")
        assert all(stat.S_ISDIR(infos[name].external_attr >> 16) for name in infos if name.endswith("/"))


def test_an_empty_state_is_an_entry_and_a_state_seen_again_is_written_once() -> None:
    empty, full = workspace({}), workspace({"a.py": "1\n"})
    data, ids = zipped(empty, full, empty, full)
    assert ids[0] == ids[2] and ids[1] == ids[3] and ids[0] != ids[1]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert names.count(f"CodeStates/{ids[0]}/") == 1 and names.count(f"CodeStates/{ids[1]}/a.py") == 1


def test_the_same_states_give_the_same_bytes() -> None:
    states = [workspace({"a.py": "1\n"}), workspace({"a.py": "2\n", "b/c.py": ""})]
    assert zipped(*states)[0] == zipped(*states)[0]


@pytest.mark.parametrize("files", [{"../up.py": "x"}, {".git/config": "x"}, {"a": "x", "a/b": "y"}])
def test_a_path_that_could_escape_is_refused_before_anything_of_its_state_is_written(
        files: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        states = ZippedStates(archive)
        with pytest.raises(CheckoutRefused):
            states.id_of(workspace(files), allowance())
        assert archive.namelist() == ["CodeStates/"]


def test_a_state_past_the_allowance_is_refused_before_it_is_written() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        states = ZippedStates(archive)
        with pytest.raises(EpisodeError):
            states.id_of(workspace({"big.py": "x" * 10_000}), allowance(4_000))
        assert archive.namelist() == ["CodeStates/"]
