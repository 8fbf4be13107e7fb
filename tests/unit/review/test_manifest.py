"""The manifest of what leaves: files (a file only opened is shared whole, and said so), excluded files,
commands, test runs, absolute paths outside the workspace, environment variable names, the git remote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from collector.episode import open_episode
from collector.home import Home
from collector.review.manifest import Manifest, build_manifest, env_names, review_manifest
from collector.review.session import ReviewSession
from schemas.header import WorkspaceIdentity
from tests.unit.review.test_trim import HEADER, edit, write

LONG = "".join(f"line {n}\n" for n in range(3000))


def steps() -> list[dict[str, Any]]:
    return [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "app.py", "text": "x = 1\n"},
        {"kind": "open", "t_ms": 10, "source": "bridge", "path": "big/reference.py", "text": LONG},
        {"kind": "open", "t_ms": 20, "source": "bridge", "path": "notes.md", "text": "my notes\n"},
        edit(30, "app.py", 0, 5, "2"),
        {"kind": "command", "t_ms": 40, "source": "shell", "exit_code": 0, "cwd": ".",
         "command_line": "TWINE_PASSWORD=$PYPI_TOKEN twine upload /home/dev/.cache/dist/x.whl "
                         "/work/proj/dist/y.whl https://example.org/a/b"},
        {"kind": "test_run", "t_ms": 50, "source": "pytest", "exit_status": 1,
         "tests": [{"nodeid": "tests/test_app.py::test_x", "outcome": "failed",
                    "summary": "AssertionError at /home/dev/.venv/lib/python3.11/site.py"}]},
    ]


def session(tmp_path: Path, remote: str | None = "https://git.example.org/team/proj.git") -> ReviewSession:
    header = msgspec.structs.replace(HEADER, workspace=WorkspaceIdentity(root_name="proj", git_remote=remote))
    home = Home(tmp_path / "home")
    path = write(tmp_path / "e.ctape", steps(), header)
    return ReviewSession(path, home)


def manifest_of(review: ReviewSession) -> Manifest:
    """As `review_manifest`, with the workspace recorded in /work/proj (no opted-in folder needed)."""
    made = review_manifest(review)
    browser = review.browser
    excluded = made.excluded
    return build_manifest(open_episode(review.current), review.summary, browser.files_at(-1),
                          browser.files_at(browser.count - 1), excluded=excluded, workspace="/work/proj",
                          unlinkable=False)


def test_every_part_of_what_leaves(tmp_path: Path) -> None:
    review = session(tmp_path)
    try:
        manifest = manifest_of(review)
        by_path = {file.path: file for file in manifest.files}
        assert by_path["big/reference.py"].lines == 3000 and by_path["big/reference.py"].only_read
        shown = by_path["big/reference.py"].line()
        assert shown == "big/reference.py  3,000 lines, only opened: all of it leaves"
        assert by_path["app.py"].activity == "1 edit" and not by_path["app.py"].only_read
        assert manifest.footer() == "3 of 3 files, 1 command, 1 test run will be shared"
        assert [path for path, _ in manifest.outside_paths] == [
            "/home/dev/.cache/dist/x.whl", "/home/dev/.venv/lib/python3.11/site.py"]
        assert manifest.env_names == ("PYPI_TOKEN", "TWINE_PASSWORD")
        assert manifest.git_remote == "https://git.example.org/team/proj.git" and manifest.remote_note == ""
        review.apply(review.plan.exclude("/notes.md"))
        after = manifest_of(review)
        assert after.excluded == ("notes.md",)
        assert after.footer() == "2 of 3 files, 1 command, 1 test run will be shared"
        text = "\n".join(after.lines())
        assert text.startswith("this is what would be shared: 2 of 3 files")
        assert "excluded (1), nothing of them leaves:\n  notes.md" in text
        assert ("\nnever recorded, so in no episode: compiled and cache files git does not track (.gradle/, "
                ".hypothesis/, .mypy_cache/, .next/, .nox/, .parcel-cache/, .pytest_cache/, .ruff_cache/, "
                ".tox/, __pycache__/, node_modules/, *.pyc, *.pyo, *.class, *.o): "
                "docs/never-recorded.md\n") in text
    finally:
        review.close()


def test_env_names_read_and_set() -> None:
    assert env_names("FOO=1 BAR=2 make ${BAZ} $QUX; export ZED=3") == {"FOO", "BAR", "BAZ", "QUX", "ZED"}
    assert env_names("cd $HOME && echo $PATH a=b=c") == {"a"}
    assert env_names("python -c 'x == 1'") == set()
