"""`codetape export --format zeta` through the real CLI: Zed's zeta examples, one per settled edit burst
with a known caret, their excerpts checked against `codetape checkout` before and after the burst, the
caret where the editor reported it, none crossing a redaction placeholder of the token the session typed,
what became of the file in the metadata, and the files loaded by Hugging Face `datasets`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets

from collector.episode import open_episode
from collector.export.edits.excerpt import CURSOR, REGION_END, REGION_START, START_OF_FILE
from collector.export.split import repository_key, side_of
from tests.integration.export.export_sessions import (  # noqa: F401 (fixtures)
    PLACEHOLDER,
    TOKEN,
    calc_session,
    checkout_text,
    codetape,
    secret_session,
)


def export(home: Path, out: Path, episode: Path) -> tuple[list[dict[str, Any]], str]:
    done = codetape(home, "export", str(episode), "--format", "zeta", "-o", str(out))
    assert done.returncode == 0, done.stderr
    written = out / f"{open_episode(episode).header.episode_id}.zeta.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()], done.stderr


def parts(excerpt: str, path: str) -> tuple[str, str, str]:
    """(context before, editable region, context after) of a marked-up excerpt, checking its frame."""
    assert excerpt.startswith(f"```{path}\n") and excerpt.endswith("\n```"), excerpt
    body = excerpt[len(f"```{path}\n"):-len("\n```")]
    assert body.count(REGION_START) == 1 and body.count(REGION_END) == 1, excerpt
    head, rest = body.split(REGION_START + "\n")
    region, tail = rest.split("\n" + REGION_END)
    return head.removeprefix(START_OF_FILE + "\n"), region, tail


def test_each_example_is_the_excerpt_before_and_after_its_burst(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    seen = 0
    for home, episode in (secret_session,):
        examples, _ = export(home, tmp_path / episode.stem, episode)
        assert examples
        for example in examples:
            assert set(example) == {"events", "input", "output", "codetape"}
            where = example["codetape"]
            assert where["episode_id"] == episode.stem and where["start_ms"] <= where["end_ms"]
            path = where["path"]
            assert example["input"].count(CURSOR) == 1 and CURSOR not in example["output"]
            head_in, region_in, tail_in = parts(example["input"], path)
            head_out, region_out, tail_out = parts(example["output"], path)
            assert (head_in, tail_in) == (head_out, tail_out)  # only the editable region changes
            assert (START_OF_FILE in example["input"]) == (START_OF_FILE in example["output"])
            before = checkout_text(home, episode, where["first_step"] - 1, path, tmp_path / "checkouts") or ""
            after = checkout_text(home, episode, where["last_step"], path, tmp_path / "checkouts")
            assert after is not None
            excerpt_before = head_in + region_in.replace(CURSOR, "") + tail_in
            excerpt_after = head_out + region_out + tail_out
            assert excerpt_before in before and excerpt_after in after
            assert excerpt_before != excerpt_after
            if START_OF_FILE in example["input"]:
                assert before.startswith(excerpt_before) and after.startswith(excerpt_after)
            seen += 1
    assert seen == 3


def test_a_session_whose_editor_reported_no_caret_takes_the_bursts_first_edit_and_says_so(
        tmp_path: Path, calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    """Issue 89: an edit's own position is a caret; the example says where it came from."""
    home, episode = calc_session
    examples, said = export(home, tmp_path / "out", episode)
    assert [example["codetape"]["caret_from"] for example in examples] == ["first_edit"], examples
    assert "skipped" not in said, said


def test_events_are_the_bursts_before_as_zed_writes_them_and_the_caret_is_the_editors(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    examples, _ = export(home, tmp_path / "out", episode)
    assert [e["codetape"]["path"] for e in examples] == ["src/app.py", "src/app.py", "tests/test_app.py"]
    first, second, third = examples
    assert first["events"] == ""
    assert "def greet(<|user_cursor_is_here|>):" in first["input"]  # the editor's report at 900 ms
    assert "def greet(name):" in first["output"]
    assert second["events"] == ('User edited "src/app.py":\n```diff\n@@ -1,2 +1,2 @@\n-def greet():\n'
                                "+def greet(name):\n     return 'hi'\n\n```")
    # the report at 1200 ms came before the burst's last key: the caret is where that key left it
    assert "def greet(name<|user_cursor_is_here|>):" in second["input"]
    assert "    return f'hi {name}'" in second["output"]
    assert third["events"].startswith(second["events"] + '\n\nUser edited "src/app.py":\n```diff\n')
    assert (first["codetape"]["start_ms"], first["codetape"]["end_ms"]) == (1000, 1450)
    assert [e["codetape"]["caret_from"] for e in examples] == ["cursor", "edit", "cursor"]


def test_an_example_saved_with_errors_says_so_and_an_episode_is_on_one_side_of_the_split(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    examples, _ = export(home, tmp_path / "out", episode)
    meta = [e["codetape"] for e in examples]
    assert [(m["saved"], m["errors"], m["warnings"]) for m in meta] == [
        (False, -1, -1), (True, 1, 0), (True, -1, -1)]
    assert meta[1]["error_messages"] == "2:15: f-string: expecting '}'\n"  # the last report, after the save
    assert {m["split"] for m in meta} == {side_of(repository_key(open_episode(episode).header.workspace))}


def test_no_example_crosses_a_redaction_placeholder(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    cat = codetape(home, "cat", str(episode))
    assert PLACEHOLDER in cat.stdout and TOKEN not in cat.stdout  # the token was typed, and redacted
    examples, said = export(home, tmp_path / "out", episode)
    # the token's own burst, and the next one whose events hold the token's burst, are left out
    assert "wrote 1 episode, 3 examples in 1 file (skipped: examples with a redaction placeholder 2)" in said
    written = (tmp_path / "out" / f"{episode.stem}.zeta.jsonl").read_text(encoding="utf-8")
    assert "«redacted:" not in written and "redacted" not in written and TOKEN[:8] not in written
    assert all("src/settings.py" not in e["events"] + e["input"] for e in examples)


def test_zeta_files_of_many_episodes_load_in_hugging_face_datasets(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    out = tmp_path / "out"
    for home, episode in (secret_session, calc_session):  # three examples, and one
        done = codetape(home, "export", str(episode), "--format", "zeta", "-o", str(out), "--force")
        assert done.returncode == 0, done.stderr
    files = sorted(str(p) for p in out.iterdir())
    assert len(files) == 2
    loaded = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(tmp_path / "hf"))
    assert loaded.num_rows == 4 and loaded.column_names == ["events", "input", "output", "codetape"]
    assert sorted(row["codetape"]["errors"] for row in loaded) == [-1, -1, -1, 1]  # (files in id order)
    eval_side = loaded.filter(lambda row: row["codetape"]["split"] == "eval")
    assert eval_side.num_rows in (0, 1, 3, 4)  # an episode is on one side
