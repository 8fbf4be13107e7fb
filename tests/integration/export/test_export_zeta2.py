"""`codetape export --format zeta2` through the real CLI: each line one of Zed's `ExampleSpec`s, its fields
read from the struct itself (tests/fixtures/zed/example_spec.rs, a copy of Zed's file under its licence),
and every row loaded as Zed's edit-prediction CLI loads one (load_project.rs), against the real git
repository the episode was recorded in (git_session.py, a workspace already changed when the recording
began): a worktree at `revision`, `git apply` of `uncommitted_diff`, then `edit_history` applied as
udiff.rs applies it (tests/support/zed_udiff.py); the text must be the one the burst began in (`codetape
checkout`), hold the cursor excerpt once, and take the expected patch to the text after the burst. The
files load with Hugging Face `datasets`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import datasets
import pytest

from collector.episode import open_episode, write_episode_file
from collector.reconstruct.workspace import workspace_at
from schemas.steps import GapStep
from tests.integration.export.export_sessions import (  # noqa: F401 (fixtures)
    PLACEHOLDER,
    TOKEN,
    checkout_text,
    codetape,
    secret_session,
)
from tests.integration.export.git_session import record_git_session
from tests.support.collector_harness import git
from tests.support.sessions import generate
from tests.support.zed_udiff import apply_diff, events

SPEC = Path(__file__).parents[2] / "fixtures" / "zed" / "example_spec.rs"
INLINE_CURSOR = "<|user_cursor|>"  # Zed's INLINE_CURSOR_MARKER, read from the same file below


def spec_fields() -> dict[str, tuple[str, bool]]:
    """ExampleSpec's fields as Zed declares them: name -> (Rust type, whether serde defaults it)."""
    text = SPEC.read_text(encoding="utf-8")
    body = re.search(r"pub struct ExampleSpec \{\n(.*?)\n\}", text, re.S)
    assert body is not None
    fields, defaulted = {}, False
    for line in body.group(1).splitlines():
        line = line.strip()
        if line.startswith("#[serde("):
            defaulted = "default" in line
            continue
        found = re.fullmatch(r"pub (\w+): (.+),", line)
        assert found is not None, line
        fields[found.group(1)] = (found.group(2), defaulted)
        defaulted = False
    return fields


def export(home: Path, out: Path, episode: Path) -> tuple[list[dict[str, Any]], str]:
    done = codetape(home, "export", str(episode), "--format", "zeta2", "-o", str(out))
    assert done.returncode == 0, done.stderr
    written = out / f"{open_episode(episode).header.episode_id}.zeta2.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()], done.stderr


def test_the_fixture_is_zeds_struct_with_its_licence() -> None:
    fields = spec_fields()
    assert list(fields)[:11] == ["name", "repository_url", "revision", "tags", "reasoning",
                                 "uncommitted_diff", "cursor_path", "cursor_position", "edit_history",
                                 "expected_patches", "rejected_patch"]
    assert f'INLINE_CURSOR_MARKER: &str = "{INLINE_CURSOR}"' in SPEC.read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in (SPEC.parent / "LICENSE-GPL").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def git_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(home, repository, sealed episode) of git_session.py's recording."""
    return record_git_session(tmp_path_factory.mktemp("git-session"))


def load_like_zed(repo: Path, example: dict[str, Any], work: Path) -> dict[str, str]:
    """The project's files as Zed's loader has them once the example is loaded (load_project.rs
    `setup_worktree` then `apply_edit_history`): path -> text of the files the history edits and the
    cursor's."""
    git(repo, "worktree", "add", "-q", "--detach", str(work), example["revision"])
    if example["uncommitted_diff"]:
        applied = subprocess.run(["git", "apply", "-"], input=example["uncommitted_diff"].encode(), cwd=work,
                                 capture_output=True, check=False)
        assert applied.returncode == 0, (example["name"], applied.stderr, example["uncommitted_diff"])
    paths = {path for kind, path, _hunk, _status in events(example["edit_history"]) if kind == "hunk"}
    files = {path: (work / path).read_text(encoding="utf-8")
             for path in paths | {example["cursor_path"]} if (work / path).is_file()}
    return apply_diff(example["edit_history"], files)


def test_every_row_loads_as_zeds_loader_loads_it(
        tmp_path: Path, git_session: tuple[Path, Path, Path]) -> None:
    """Issue 55, item 1: `uncommitted_diff` stops where `edit_history` starts, from the text at `revision`
    (the snapshot's and the commit's, never the episode's first sight of a file changed before)."""
    home, repo, episode = git_session
    snapshot = open_episode(episode).step_dicts().__next__()
    assert {file["path"]: file["at_head"] for file in snapshot["state"]} == {
        "src/app.py": True, "src/util.py": False}  # util.py changed before the recording began
    load_every_row(tmp_path, home, repo, episode, "changed before the recording began")


def test_with_the_default_settings_the_collectors_comparison_gives_the_same_rows(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """Issue 55, item 1: recorded without a snapshot (the default), each file's text at `revision` is
    known from the collector's comparison of the first text it saw with HEAD's blob (`head_text`): the
    clean file and the new ones are known, the file changed before the recording is not."""
    home, repo, episode = record_git_session(tmp_path_factory.mktemp("git-session-default"), snapshot=False)
    steps = list(open_episode(episode).step_dicts())
    assert not any(step["kind"] == "gap" and step["reason"] == "snapshot" for step in steps)
    assert [(step["path"], step.get("head_text")) for step in steps if step["kind"] == "open"] == [
        ("src/app.py", "same"), ("src/new.py", "absent"), ("src/settings.py", "absent"),
        ("src/util.py", "other")]
    load_every_row(tmp_path, home, repo, episode, "not HEAD's text when the episode first saw it")


def load_every_row(tmp_path: Path, home: Path, repo: Path, episode: Path, dirty: str) -> None:
    """Every row of git_session.py's episode loaded as Zed loads it: the 5 rows each give the text their
    burst began in and take the expected patch to the text after it; the 2 needing src/util.py (`dirty`:
    why its text at HEAD is not known) and the token's are left out and counted."""
    examples, said = export(home, tmp_path / "out", episode)
    fields = spec_fields()
    required = {name for name, (_kind, defaulted) in fields.items() if not defaulted}
    kinds = {"String": str, "Arc<Path>": str, "Vec<String>": list, "Option<String>": str}
    head = git(repo, "rev-parse", "HEAD")
    loaded = 0
    for example in examples:
        assert required <= set(example) <= set(fields), set(example) ^ set(fields)
        for name, value in example.items():
            optional = value is None and fields[name][0] == "Option<String>"
            assert optional or isinstance(value, kinds[fields[name][0]]), (name, value)
        assert example["rejected_patch"] is None and any(tag.startswith("split:") for tag in example["tags"])
        first, last = (int(n) for n in example["name"].split(":")[1].split("-"))
        path = example["cursor_path"]
        files = load_like_zed(repo, example, tmp_path / "worktrees" / f"{first}")
        before = checkout_text(home, episode, first - 1, path, tmp_path / "checkouts") or ""
        after = checkout_text(home, episode, last, path, tmp_path / "checkouts")
        assert files[path] == before, example["name"]  # the text the burst began in
        assert example["cursor_position"].count(INLINE_CURSOR) == 1
        assert files[path].count(example["cursor_position"].replace(INLINE_CURSOR, "")) == 1  # Zed: once
        [patch] = example["expected_patches"]
        assert apply_diff(patch, dict(files))[path] == after
        (tmp_path / "worktrees" / f"{first}" / path).write_text(files[path], encoding="utf-8")
        applied = subprocess.run(["git", "apply", "-"], input=patch.encode(), capture_output=True,
                                 cwd=tmp_path / "worktrees" / f"{first}", check=False)
        assert applied.returncode == 0, applied.stderr
        loaded += 1
    assert loaded == len(examples) == 5 and "5 examples in 1 file" in said, said
    assert f"a file's text at the revision not known ({dirty}) 2" in said, said
    assert "examples with a redaction placeholder 1" in said  # the token's burst
    a, b, n, c, e = examples
    assert a["edit_history"] == "" and a["uncommitted_diff"] == ""  # src/app.py as HEAD holds it
    assert b["edit_history"].startswith("--- a/src/app.py\n") and b["uncommitted_diff"] == ""
    assert n["uncommitted_diff"] == "diff --git a/src/new.py b/src/new.py\nnew file mode 100644\n"
    assert c["edit_history"].count("--- a/") == 3 and c["revision"] == a["revision"] != head
    assert e["revision"] == head and e["uncommitted_diff"].startswith("--- a/src/app.py\n")  # the commit's
    assert "src/util.py" not in json.dumps(examples)  # changed before the recording: its base is not known
    loaded_rows = datasets.load_dataset("json", data_files=[str(p) for p in (tmp_path / "out").iterdir()],
                                        split="train")
    assert loaded_rows.num_rows == 5 and loaded_rows[0]["cursor_path"] == "src/app.py"


def test_an_episode_without_a_snapshot_gives_no_example_and_says_why(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    examples, said = export(home, tmp_path / "out", episode)
    assert examples == [] and "bursts with a file's text at the revision not known (no git HEAD at the " \
        "episode's start) 4" in said, said


def test_no_example_holds_a_redaction_placeholder(
        tmp_path: Path, git_session: tuple[Path, Path, Path]) -> None:
    home, _repo, episode = git_session
    examples, said = export(home, tmp_path / "out", episode)
    text = json.dumps(examples)
    assert PLACEHOLDER not in text and TOKEN not in text and "src/settings.py" not in text
    assert "examples with a redaction placeholder 1" in said


def test_every_row_of_generated_sessions_loads_as_zeds_loader_loads_it(tmp_path: Path) -> None:
    """The generator's training sessions (a HEAD, a snapshot of the repository's files at it): each row
    loaded as Zed loads it, in a repository holding the snapshot's files, gives exactly the text its burst
    began in, and its expected patch exactly the text after it."""
    home, rows = tmp_path / "home", 0
    for seed in (3, 4):
        made = generate(seed, "training", scale=0.02)
        path = tmp_path / f"{seed}.ctape"
        write_episode_file(path, made.header, made.steps, level=3)
        examples, _said = export(home, tmp_path / f"out{seed}", path)
        head = {file.path: file.text for file in made.steps[0].state or () if file.at_head} \
            if isinstance(made.steps[0], GapStep) else {}
        for example in examples:
            work = tmp_path / f"repo{seed}-{rows}"
            work.mkdir()
            for name, text in head.items():
                (work / name).parent.mkdir(parents=True, exist_ok=True)
                (work / name).write_text(text or "", encoding="utf-8")
            git(work, "init", "-q")
            applied = subprocess.run(["git", "apply", "--allow-empty", "-"],
                                     input=example["uncommitted_diff"].encode(), cwd=work,
                                     capture_output=True, check=False)
            assert applied.returncode == 0, (example["name"], applied.stderr)
            paths = {name for kind, name, _hunk, _status in events(example["edit_history"]) if kind == "hunk"}
            files = apply_diff(example["edit_history"], {
                name: (work / name).read_text(encoding="utf-8")
                for name in paths | {example["cursor_path"]} if (work / name).is_file()})
            first, last = (int(n) for n in example["name"].split(":")[1].split("-"))
            cursor = example["cursor_path"]
            began = workspace_at("utf-16", made.steps, first - 1).text(cursor)
            assert files[cursor] == began, example["name"]
            assert files[cursor].count(example["cursor_position"].replace(INLINE_CURSOR, "")) == 1
            after = apply_diff(example["expected_patches"][0], dict(files))[cursor]
            assert after == workspace_at("utf-16", made.steps, last).text(cursor), example["name"]
            rows += 1
    assert rows >= 40, rows
