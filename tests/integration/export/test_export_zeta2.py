"""`codetape export --format zeta2` through the real CLI: each line one of Zed's `ExampleSpec`s, its fields
read from the struct itself (tests/fixtures/zed/example_spec.rs, a copy of Zed's file under its licence),
the expected patch applied by `git apply` to the file before the burst giving the file after it (both from
`codetape checkout`), the cursor inside that file, and the files loaded by Hugging Face `datasets`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import datasets

from collector.episode import open_episode
from tests.integration.export.export_sessions import (  # noqa: F401 (fixtures)
    PLACEHOLDER,
    TOKEN,
    checkout_text,
    codetape,
    secret_session,
)

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


def test_each_example_is_an_example_spec_whose_patch_applies(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    examples, said = export(home, tmp_path / "out", episode)
    assert len(examples) == 3 and "3 examples in 1 file" in said
    fields = spec_fields()
    required = {name for name, (_kind, defaulted) in fields.items() if not defaulted}
    kinds = {"String": str, "Arc<Path>": str, "Vec<String>": list, "Option<String>": str}
    for example in examples:
        assert required <= set(example) <= set(fields), set(example) ^ set(fields)
        for name, value in example.items():
            assert isinstance(value, kinds[fields[name][0]]), (name, value)
        assert example["repository_url"] == "" and example["revision"] == ""  # a workspace outside git
        assert "rejected_patch" not in example  # no offer recorded: the Option is left out, as serde does
        assert any(tag.startswith("split:") for tag in example["tags"])
        first, last = (int(n) for n in example["name"].split(":")[1].split("-"))
        path = example["cursor_path"]
        before = checkout_text(home, episode, first - 1, path, tmp_path / "checkouts") or ""
        after = checkout_text(home, episode, last, path, tmp_path / "checkouts")
        assert example["cursor_position"].count(INLINE_CURSOR) == 1
        assert example["cursor_position"].replace(INLINE_CURSOR, "") in before
        [patch] = example["expected_patches"]
        work = tmp_path / "apply" / example["name"].replace(":", "-")
        (work / path).parent.mkdir(parents=True)
        (work / path).write_text(before, encoding="utf-8")
        applied = subprocess.run(["git", "apply", "-"], input=patch.encode(), cwd=work, capture_output=True,
                                 check=False)
        assert applied.returncode == 0, applied.stderr
        assert (work / path).read_text(encoding="utf-8") == after
    first, second, third = examples
    header = "--- a/src/app.py\n+++ b/src/app.py\n"
    assert first["edit_history"] == "" and second["edit_history"].startswith(header)
    assert third["uncommitted_diff"].startswith(header)  # the other file's change since the start
    loaded = datasets.load_dataset("json", data_files=[str(p) for p in (tmp_path / "out").iterdir()],
                                   split="train")
    assert loaded.num_rows == 3 and loaded[0]["cursor_path"] == "src/app.py"


def test_no_example_holds_a_redaction_placeholder(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    examples, _ = export(home, tmp_path / "out", episode)
    text = json.dumps(examples)
    assert PLACEHOLDER not in text and TOKEN not in text
