"""Reaching files below a root without following any link: collector.workspace.beneath."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from collector.workspace import beneath
from collector.workspace.beneath import (
    hardlink_beneath,
    link_beneath,
    open_beneath,
    real_relpath,
    replace_with_link,
    scan_beneath,
    stat_beneath,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """ws/ with a file, a folder, links inside and out; outside/ beside it holding the secret."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "config.json").write_text("secret\n")
    root = tmp_path / "ws"
    (root / "src" / "deep").mkdir(parents=True)
    (root / "src" / "deep" / "a.py").write_text("a\n")
    (root / "cfg").symlink_to("../outside", target_is_directory=True)
    (root / "src" / "up").symlink_to("../../outside", target_is_directory=True)
    (root / "token.json").symlink_to(tmp_path / "outside" / "config.json")
    (root / "alias").symlink_to("src", target_is_directory=True)
    return root


def read(root: Path | int, relpath: str) -> bytes:
    with open(open_beneath(root, relpath), "rb") as file:
        return file.read()


def test_a_file_is_read_only_when_no_segment_is_a_link(tree: Path) -> None:
    assert read(tree, "src/deep/a.py") == b"a\n"
    for relpath, code in [("token.json", errno.ELOOP), ("cfg/config.json", errno.ENOTDIR),
                          ("src/up/config.json", errno.ENOTDIR), ("alias/deep/a.py", errno.ENOTDIR)]:
        with pytest.raises(OSError) as caught:
            read(tree, relpath)
        assert caught.value.errno == code, relpath
    for bad in ("../outside/config.json", "src/../cfg", "/etc/passwd", "src//deep", "./src", "a\0b"):
        with pytest.raises(OSError):
            open_beneath(tree, bad)


def test_the_root_must_be_a_real_path(tree: Path) -> None:
    with pytest.raises(OSError):
        read(tree / "alias", "deep/a.py")  # a root that is a link
    with pytest.raises(OSError):
        read(tree / "src" / ".." / "src", "deep/a.py")
    fd = os.open(tree / "alias", os.O_RDONLY | os.O_DIRECTORY)  # a descriptor: taken as it is
    try:
        assert read(fd, "deep/a.py") == b"a\n"
    finally:
        os.close(fd)


def test_links_are_stat_ed_and_read_as_links(tree: Path) -> None:
    assert stat_beneath(tree, "cfg").st_mode & 0o170000 == 0o120000
    assert link_beneath(tree, "cfg") == "../outside"
    assert link_beneath(tree, "src/up") == "../../outside"
    with pytest.raises(OSError):
        stat_beneath(tree, "cfg/config.json")
    with pytest.raises(OSError):
        link_beneath(tree, "src/deep/a.py")  # not a link


def test_the_walk_yields_files_and_links_and_enters_no_link(tree: Path) -> None:
    found = {relpath for relpath, _ in scan_beneath(tree)}
    assert found == {"src/deep/a.py", "cfg", "src/up", "token.json", "alias"}
    assert list(scan_beneath(tree, "cfg")) == []
    assert {relpath for relpath, _ in scan_beneath(tree, skip=lambda r: r == "src/deep")} == \
        {"cfg", "src/up", "token.json", "alias"}


def test_a_wide_deep_walk_past_the_held_descriptors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(beneath, "MAX_HELD", 2)
    names = {f"d{a}/e{b}/f{c}/x.txt" for a in range(3) for b in range(3) for c in range(3)}
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    before = len(os.listdir("/proc/self/fd"))
    assert {relpath for relpath, _ in scan_beneath(tmp_path)} == names
    walk = scan_beneath(tmp_path)
    next(walk)
    walk.close()  # a walk left early closes what it held
    assert len(os.listdir("/proc/self/fd")) == before


def test_replace_with_link_never_follows_what_is_there(tree: Path, tmp_path: Path) -> None:
    replace_with_link(tree, "src/deep/a.py", "../x")
    replace_with_link(tree, "token.json", "src")
    replace_with_link(tree, "new/dir/link", "../..", make_dirs=True)
    assert os.readlink(tree / "src" / "deep" / "a.py") == "../x"
    assert os.readlink(tree / "token.json") == "src"
    assert os.readlink(tree / "new" / "dir" / "link") == "../.."
    assert (tmp_path / "outside" / "config.json").read_text() == "secret\n"
    with pytest.raises(OSError):
        replace_with_link(tree, "cfg/config.json", "x")
    with pytest.raises(FileExistsError):
        replace_with_link(tree, "src", "x")


def test_real_relpath_says_where_a_path_really_lies(tree: Path) -> None:
    assert real_relpath(tree, tree / "alias" / "deep" / "a.py") == "src/deep/a.py"
    assert real_relpath(tree, tree / "cfg" / "config.json") is None
    assert real_relpath(tree, tree / "token.json") is None
    assert real_relpath(tree, tree) is None


def test_hardlink_beneath_names_a_regular_file_again_never_through_a_link(tree: Path) -> None:
    hardlink_beneath(tree, "new/dir/a.py", tree, "src/deep/a.py", make_dirs=True)
    assert (tree / "new" / "dir" / "a.py").stat().st_ino == (tree / "src" / "deep" / "a.py").stat().st_ino
    for source, code in [("token.json", errno.EINVAL), ("cfg/config.json", errno.ENOTDIR),
                         ("alias/deep/a.py", errno.ENOTDIR)]:
        with pytest.raises(OSError) as refused:
            hardlink_beneath(tree, "copy", tree, source)
        assert refused.value.errno == code, source
    with pytest.raises(OSError) as through:
        hardlink_beneath(tree, "cfg/stolen.py", tree, "src/deep/a.py")
    assert through.value.errno == errno.ENOTDIR
    assert sorted(p.name for p in (tree.parent / "outside").iterdir()) == ["config.json"]
