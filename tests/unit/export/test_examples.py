"""Examples on both sides of the split (collector/export/edits/base/examples.py): the key of each format's
example, an eval example identical to a train one left out of its file, an eval set published before left as
it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.export.edits.base.examples import KEYS, LocalFiles, dedup, example_key, kept, parsed
from collector.export.result import SPLIT_FORMATS


def zeta(split: str, output: str, episode: str = "e1", events: str = "") -> dict[str, Any]:
    return {"events": events, "input": "<|editable_region_start|>\ndef f():<|user_cursor_is_here|>\n",
            "output": output, "codetape": {"episode_id": episode, "split": split, "first_step": 3}}


def write(folder: Path, name: str, records: list[dict[str, Any]]) -> str:
    (folder / name).write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return name


def outputs(folder: Path, name: str) -> list[str]:
    return [json.loads(line)["output"] for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def test_every_format_that_says_a_split_has_an_example_key() -> None:
    assert set(KEYS) >= SPLIT_FORMATS


def test_a_key_is_the_prompt_and_the_answer_not_where_they_come_from() -> None:
    assert example_key("zeta", zeta("train", "a")) == example_key("zeta", zeta("eval", "a", "e2", "history"))
    assert example_key("zeta", zeta("train", "a")) != example_key("zeta", zeta("train", "b"))
    spec = {"name": "e1:3-4", "repository_url": "https://h/a", "revision": "abc", "tags": ["split:train"],
            "uncommitted_diff": "", "cursor_path": "a.py", "cursor_position": "x<|user_cursor|>",
            "edit_history": "", "expected_patches": ["--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\n"]}
    moved = {**spec, "name": "e2:9-9", "repository_url": "https://h/b", "revision": "def",
             "tags": ["split:eval"], "uncommitted_diff": "--- a/b.py\n"}
    assert example_key("zeta2", spec) == example_key("zeta2", moved)
    assert example_key("zeta2", spec) != example_key("zeta2", {**spec, "edit_history": "--- a/a.py\n"})
    row = {"messages": [{"role": "system", "content": "repository h/a"}, {"role": "user", "content": "fix"}],
           "split": "train", "repo": "h/a"}
    other = {**row, "messages": [{"role": "system", "content": "repository h/b"}, row["messages"][1]]}
    assert example_key("swe-messages", row) == example_key("swe-messages", other)


def test_an_eval_example_identical_to_a_train_one_is_left_out_of_eval(tmp_path: Path) -> None:
    train = write(tmp_path, "t.zeta.jsonl", [zeta("train", "a"), zeta("train", "b")])
    evaluated = write(tmp_path, "e.zeta.jsonl", [zeta("eval", "c", "e2"), zeta("eval", "a", "e2", "other"),
                                                 zeta("eval", "c", "e2")])
    elsewhere = write(tmp_path, "n.zeta.jsonl", [zeta("none", "b", "e3")])
    done = dedup("zeta", LocalFiles(tmp_path), [evaluated, train, elsewhere])  # (in any order)
    assert done.left_out == {"eval": 1}
    assert outputs(tmp_path, evaluated) == ["c", "c"]  # (two eval examples alike: no leak)
    assert outputs(tmp_path, train) == ["a", "b"]
    assert outputs(tmp_path, elsewhere) == ["b"]


def test_a_published_eval_set_stays_and_a_new_train_example_like_it_is_left_out(tmp_path: Path) -> None:
    earlier_eval = write(tmp_path, "e0.zeta.jsonl", [zeta("eval", "a", "e0"), zeta("eval", "z", "e0")])
    earlier_train = write(tmp_path, "t0.zeta.jsonl", [zeta("train", "z", "t0")])  # before the rule
    before = (tmp_path / earlier_eval).read_bytes()
    train = write(tmp_path, "t1.zeta.jsonl", [zeta("train", "a", "t1"), zeta("train", "b", "t1")])
    evaluated = write(tmp_path, "e1.zeta.jsonl", [zeta("eval", "z", "e1"), zeta("eval", "b", "e1")])
    files = LocalFiles(tmp_path)
    done = dedup("zeta", files, [train, evaluated], parsed("zeta", files, [earlier_eval, earlier_train]))
    assert done.left_out == {"train": 1, "eval": 2}
    assert done.earlier_leaks == 1  # e0's z, counted, left in
    assert (tmp_path / earlier_eval).read_bytes() == before
    assert outputs(tmp_path, train) == ["b"]
    assert outputs(tmp_path, evaluated) == []


def test_lines_are_numbered_without_the_blank_ones() -> None:
    lines = [b"a\n", b"\n", b"b\n", b"c\n"]
    assert list(kept(lines, {1})) == [b"a\n", b"\n", b"c\n"]
