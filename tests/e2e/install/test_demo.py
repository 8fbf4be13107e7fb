"""The README's main job, `codetape demo`, run for real: headless Neovim through the bridge, git, pytest,
then signing with a demo key, the upload to a file:// destination, the dataset build and a DuckDB query.

What was recorded is read back with `codetape inspect --json` and `codetape cat`, never from the text the
demo prints. Without a Neovim the demo says in one line how to get one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from collector.demo.neovim import NO_NEOVIM, find_neovim
from collector.demo.project import git
from tests.cli import codetape

TESTS = ["test_calc.py::test_add", "test_calc.py::test_mul"]


def test_demo_records_a_whole_session(tmp_path: Path) -> None:
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("CODETAPE_HOME", None)
    command = [sys.executable, "-m", "collector", "demo", "--dir", str(tmp_path)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", timeout=180)
    assert proc.returncode == 0, proc.stderr
    home, project = tmp_path / "home", tmp_path / "project"
    assert not list((home / "episodes").glob("*.ctape"))  # signed: it moved to the outbox
    [episode] = (home / "outbox").glob("*.ctape")
    summary: dict[str, Any] = json.loads(codetape(home, "inspect", str(episode), "--json", check=True).stdout)
    assert proc.stdout.startswith(f"episode    {summary['episode_id']}\n")  # it showed this episode
    assert summary["signed"] is True
    assert f"signed     by {summary['signed_by']} (signature verified)" in proc.stdout  # shown once signed
    [uploaded] = (tmp_path / "uploads" / "episodes").glob("*.ctape")
    assert uploaded.read_bytes() == episode.read_bytes()
    manifest = json.loads((tmp_path / "dataset" / "_manifest.json").read_text())
    assert manifest["rows"]["episodes"] == 1 and manifest["rejected"] == {}, manifest
    answer = proc.stdout.split("the dataset, asked by DuckDB:\n", 1)[1]
    shown = {line.split()[0]: int(line.split()[1].replace(",", "")) for line in answer.splitlines()
             if line.startswith("  ") and len(line.split()) == 2}
    assert shown == summary["kinds"]  # DuckDB counted in the Parquet what the episode holds

    kinds = summary["kinds"]
    assert set(kinds) - {"cursor"} == {"open", "edit", "save", "close", "git", "test_run"}, kinds  # (the
    # plugin's cursors; Neovim quit: closed)
    assert (kinds["open"], kinds["save"], kinds["close"], kinds["git"]) == (1, 2, 1, 1), kinds
    assert kinds["test_run"] == 1, kinds
    assert kinds["edit"] >= len('def greet(name):    return "héllo, " + name + " 👋"'), kinds
    written = summary["files"]["calc.py"].pop("written")
    assert summary["files"]["calc.py"].pop("snapshot") is False  # (the demo's workspace takes none)
    assert summary["files"] == {"calc.py": {"opens": 1, "edits": kinds["edit"], "saves": 2, "changes": 0}}
    assert summary["client"]["name"].startswith("Neovim"), summary["client"]
    assert summary["position_encoding"] in ("utf-8", "utf-16")

    steps = [json.loads(line) for line in codetape(home, "cat", str(episode), check=True).stdout.splitlines()]
    order = [step["kind"] for step in steps if step["kind"] not in ("edit", "cursor", "close")]
    assert order == ["open", "save", "save", "git", "test_run"]  # each recorded before the next began
    closed = [index for index, step in enumerate(steps) if step["kind"] == "close"]
    saved = [index for index, step in enumerate(steps) if step["kind"] == "save"]
    assert closed[0] > saved[-1] and steps[closed[0]]["source"] == "collector"  # once Neovim had quit
    typed = [len(change["text"]) for step in steps if step["kind"] == "edit" for change in step["changes"]]
    # recorded through the Neovim plugin: every change is a key the developer pressed, and says so
    assert written == {"typed": sum(typed)}, written
    edits = [(step.get("origin"), step.get("origin_detail")) for step in steps if step["kind"] == "edit"]
    assert ("typed", "nvim:normal r+") in edits and ("typed", "nvim:normal o") in edits, edits
    assert ("typed", "nvim:insert <CR>") in edits and ("typed", "nvim:InsertCharPre") in edits, edits
    assert f"written    {sum(typed):,} characters: typed 100% (whose: human 100%)\n" in proc.stdout
    report = tmp_path / "report.html"
    codetape(home, "report", str(episode), "-o", str(report), check=True)
    assert f"{sum(typed)} characters written: typed 100%" in report.read_text(encoding="utf-8")
    # how to look further, with the codetape that ran (not on PATH here: named by how it was started)
    assert f"look around: CODETAPE_HOME={home} {sys.executable} -P -m collector episodes" in proc.stderr
    commit = next(step for step in steps if step["kind"] == "git")
    assert commit["op"] == "commit" and commit["sha"] == git(project, "rev-parse", "HEAD").strip()
    assert commit["message"].startswith("calc: fix add, add greet")
    run = next(step for step in steps if step["kind"] == "test_run")
    assert run["exit_status"] == 0
    assert sorted((test["nodeid"], test["outcome"]) for test in run["tests"]) == [
        (nodeid, "passed") for nodeid in TESTS]
    # the text the episode reconstructs at the last save is the file the editor left on disk
    out = tmp_path / "checkout"
    codetape(home, "checkout", str(episode), str(out), check=True)
    assert (out / "calc.py").read_bytes() == (project / "calc.py").read_bytes()
    assert "👋" in (project / "calc.py").read_text(encoding="utf-8")


def test_neovim_is_looked_for_beside_the_interpreter_first_then_on_the_path(tmp_path: Path) -> None:
    beside, on_path, empty = tmp_path / "venv-bin", tmp_path / "usr-bin", tmp_path / "empty"
    for directory in (beside, on_path, empty):
        directory.mkdir()
    for directory in (beside, on_path):
        (directory / "nvim").write_text("#!/bin/sh\n", encoding="utf-8")
        (directory / "nvim").chmod(0o755)
    assert find_neovim(beside, str(on_path)) == str(beside / "nvim")
    assert find_neovim(empty, str(on_path)) == str(on_path / "nvim")
    assert find_neovim(empty, str(empty)) is None


def interpreter_without_neovim(root: Path) -> Path:
    """This Python's packages in a virtualenv of their own that has no Neovim in its bin/."""
    (root / "bin").mkdir(parents=True)
    python = root / "bin" / "python"
    python.symlink_to(Path(sys.executable).resolve())
    (root / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).resolve().parent}\n"
                                     "include-system-site-packages = false\n", encoding="utf-8")
    site = Path(sysconfig.get_path("purelib"))
    (root / site.relative_to(sys.prefix)).parent.mkdir(parents=True)
    (root / site.relative_to(sys.prefix)).symlink_to(site)
    return python


def test_without_neovim_the_demo_says_how_to_get_one_in_one_line(tmp_path: Path) -> None:
    python = interpreter_without_neovim(tmp_path / "venv")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = os.environ | {"PATH": str(empty), "CODETAPE_HOME": str(tmp_path / "home")}
    proc = subprocess.run([str(python), "-m", "collector", "demo", "--dir", str(tmp_path / "demo")], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"codetape: {NO_NEOVIM}\n")
    assert "pip install 'codetape[demo]'" in NO_NEOVIM
    assert not (tmp_path / "demo").exists() and not (tmp_path / "home").exists()  # it started nothing
