"""`codetape diff EPISODE start end` of a real recording is a patch `git apply` takes: files created in the
editor and outside it (empty, without a last line break), deleted, renamed, changed, recorded by a real
collector with its file watcher and a real bridge (tests/lsp_typing.py's typist). Applied to a clone of
the repository as the session began, it gives the workspace as the session left it, but for the one
file deleted before the episode ever saw its content, which the patch names and leaves.

The same episode's HTML report says ADDED, DELETED, RENAMED and MODIFIED where git would; the review's
report says it is what would be shared and how many files were excluded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from collector.demo.project import git, scaffold
from collector.demo.run import wait_for_steps
from collector.review.report import make_report
from tests.cli import codetape
from tests.lsp_typing import Typist, in_own_loop
from tests.support.collector_harness import running

UNSEEN = ("Files a/unseen.txt and /dev/null differ (deleted before it was first recorded, content not "
          "recorded)\n")
NOISE = {".git", ".codetape.toml", "__pycache__", ".pytest_cache"}


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and not NOISE & set(path.relative_to(root).parts)}


def has(kind: str, **fields: Any) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda steps: any(s.get("kind") == kind and all(s.get(k) == v for k, v in fields.items())
                             for s in steps)


def record(base: Path) -> tuple[Path, Path, Path]:
    """The session; returns (home, project, sealed episode)."""
    home, project = base / "home", base / "project"
    scaffold(project)
    for name, text in (("old_name.py", "X = 1\nY = 2\nZ = 3\n"), ("gone.txt", "bye\nno newline"),
                       ("unseen.txt", "u\n"), ("plain.txt", "moved whole\n"), ("nonl.txt", "x"),
                       ("docs/README.md", "docs\n")):
        (project / name).parent.mkdir(exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "files to move, delete and change")
    codetape(home, "init", str(project), check=True)
    with running(home) as daemon:
        def waited(what: str, *checks: Callable[[list[dict[str, Any]]], bool]) -> None:
            wait_for_steps(daemon.home, project, lambda steps: all(check(steps) for check in checks), what)

        async def work() -> None:
            typist = await Typist.start(home, project, name="diff-test")
            typist.open("new.py", "")  # `:e new.py`: nothing there, its first save makes it
            await typist.type("new.py", "def f():\n    return 1\n")
            typist.save("new.py")
            typist.close("new.py")
            typist.open("calc.py", (project / "calc.py").read_text(encoding="utf-8"))
            typist.replace("calc.py", "a - b", "a + b")
            typist.save("calc.py")
            typist.open("nonl.txt", "x", language_id="plaintext")
            typist.replace("nonl.txt", "x", "y")
            typist.save("nonl.txt")
            for path in ("gone.txt", "old_name.py"):
                typist.open(path, (project / path).read_text(encoding="utf-8"), language_id="plaintext")
                typist.close(path)
            waited("the editor's work", has("save", path="new.py"), has("save", path="nonl.txt"),
                   has("close", path="old_name.py"))
            assert await typist.stop() == 0

        in_own_loop(work())
        (project / "gone.txt").unlink()
        (project / "unseen.txt").unlink()
        (project / "old_name.py").rename(project / "new_name.py")
        # (into a folder the watcher watches already: one made now would show a deletion and a creation)
        (project / "plain.txt").rename(project / "docs" / "plain.txt")
        (project / "empty.txt").write_bytes(b"")
        (project / "tail.txt").write_text("no newline at end", encoding="utf-8")
        waited("the changes on disk", has("file_change", path="gone.txt", change="deleted"),
               has("file_change", path="unseen.txt", change="deleted"),
               has("file_change", path="old_name.py", change="renamed", new_path="new_name.py"),
               has("file_change", path="plain.txt", change="renamed", new_path="docs/plain.txt"),
               has("file_change", path="empty.txt", change="created"),
               has("file_change", path="tail.txt", change="created"))
        (project / "new_name.py").write_text("X = 1\nY = 20\nZ = 3\n", encoding="utf-8")  # then changed
        waited("the renamed file's change", has("file_change", path="new_name.py", change="modified"))
        sealed = codetape(daemon.home.root, "seal", str(project), "--json", check=True)
    return home, project, Path(json.loads(sealed.stdout)["path"])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return record(tmp_path_factory.mktemp("diff-applies"))


def start_clone(project: Path, dest: Path) -> Path:
    """The repository as the session began (its one commit since), checked out at `dest`."""
    subprocess.run(["git", "clone", "-q", str(project), str(dest)], check=True, capture_output=True,
                   timeout=60)
    return dest


def test_the_diff_is_gits_form_for_every_kind_of_change(recorded: tuple[Path, Path, Path]) -> None:
    home, _, episode = recorded
    out = codetape(home, "diff", str(episode), "start", "end", keep_cr=True)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    patch = out.stdout
    assert ("diff --git a/new.py b/new.py\nnew file mode 100644\nindex 0000000..b859599\n--- /dev/null\n"
            "+++ b/new.py\n@@ -0,0 +1,2 @@\n+def f():\n+    return 1\n") in patch
    assert ("diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex ") in patch
    assert ("--- a/gone.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-bye\n-no newline\n"
            "\\ No newline at end of file\n") in patch
    assert ("diff --git a/old_name.py b/new_name.py\nsimilarity index 63%\nrename from old_name.py\n"
            "rename to new_name.py\nindex 6b67108..83b266c\n--- a/old_name.py\n+++ b/new_name.py\n"
            "@@ -1,3 +1,3 @@\n X = 1\n-Y = 2\n+Y = 20\n Z = 3\n") in patch  # as git writes it
    assert ("diff --git a/plain.txt b/docs/plain.txt\nsimilarity index 100%\nrename from plain.txt\n"
            "rename to docs/plain.txt\n") in patch
    assert ("diff --git a/empty.txt b/empty.txt\nnew file mode 100644\nindex 0000000..e69de29\n"
            "diff --git") in patch  # an empty file: the header alone, as git writes it
    assert "+no newline at end\n\\ No newline at end of file\n" in patch
    assert "-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n" in patch
    assert "-    return a - b\n+    return a + b\n" in patch
    assert UNSEEN in patch


def test_git_apply_turns_the_start_into_the_end(tmp_path: Path, recorded: tuple[Path, Path, Path]) -> None:
    home, project, episode = recorded
    patch = tmp_path / "episode.patch"
    out = codetape(home, "diff", str(episode), "start", "end", keep_cr=True)
    patch.write_bytes(out.stdout.encode("utf-8", "surrogateescape"))
    clone = start_clone(project, tmp_path / "clone")
    for args in (["--check"], []):
        applied = subprocess.run(["git", "apply", *args, str(patch)], cwd=clone, capture_output=True,
                                 text=True, timeout=60)
        assert applied.returncode == 0 and applied.stderr == "", applied.stderr
    expected = tree(project) | {"unseen.txt": b"u\n"}  # its deletion is named, not diffed: left as it was
    assert tree(clone) == expected
    # and back: the diff from the end to the start undoes it
    back = codetape(home, "diff", str(episode), "end", "start", keep_cr=True)
    (tmp_path / "back.patch").write_bytes(back.stdout.encode("utf-8", "surrogateescape"))
    undone = subprocess.run(["git", "apply", str(tmp_path / "back.patch")], cwd=clone, capture_output=True,
                            text=True, timeout=60)
    assert undone.returncode == 0, undone.stderr
    assert tree(clone) == tree(start_clone(project, tmp_path / "again"))


def test_patch_p1_applies_it_too(tmp_path: Path, recorded: tuple[Path, Path, Path]) -> None:
    assert shutil.which("patch"), "GNU patch is missing: run scripts/setup (apt: patch)"
    home, project, episode = recorded
    out = codetape(home, "diff", str(episode), "start", "end", keep_cr=True)
    clone = start_clone(project, tmp_path / "clone")
    applied = subprocess.run(["patch", "-p1", "--batch"], cwd=clone, input=out.stdout.encode("utf-8"),
                             capture_output=True, timeout=60, env={**os.environ, "LC_ALL": "C"})
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert tree(clone) == tree(project) | {"unseen.txt": b"u\n"}


def test_the_report_says_what_happened_to_each_file(tmp_path: Path,
                                                    recorded: tuple[Path, Path, Path]) -> None:
    home, _, episode = recorded
    page = tmp_path / "report.html"
    assert codetape(home, "report", str(episode), "-o", str(page)).returncode == 0
    html = page.read_text(encoding="utf-8")
    for status, path in (("added", "new.py"), ("added", "empty.txt"), ("added", "tail.txt"),
                         ("deleted", "gone.txt"), ("deleted", "unseen.txt"), ("modified", "calc.py"),
                         ("modified", "nonl.txt"), ("renamed", "old_name.py → new_name.py"),
                         ("renamed", "plain.txt → docs/plain.txt")):
        assert f'<span class="status {status}">{status}</span><span class="path">{path}</span>' in html, path
    assert 'id="shared"' not in html
    made = make_report(episode, "review", 2)  # as the review makes it, for the trimmed copy
    try:
        shared = made.read_text(encoding="utf-8")
    finally:
        shutil.rmtree(made.parent)
    assert ("This is what would be shared if you signed now: the episode as reviewed, 2 files "
            "excluded.") in shared
