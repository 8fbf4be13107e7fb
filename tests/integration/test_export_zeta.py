"""`codetape export --format zeta` through the real CLI: Zed's zeta examples, one per settled edit burst,
their excerpts checked against `codetape checkout` before and after the burst, none crossing a
redaction placeholder of the token the session typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.episode import open_episode
from collector.export.excerpt import CURSOR, REGION_END, REGION_START, START_OF_FILE
from tests.integration.export_sessions import (  # noqa: F401 (fixtures)
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
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    seen = 0
    for home, episode in (secret_session, calc_session):
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
    assert seen >= 4


def test_events_are_the_bursts_before_as_zed_writes_them_and_the_caret_is_where_typing_began(
        tmp_path: Path, secret_session: tuple[Path, Path]) -> None:  # noqa: F811
    home, episode = secret_session
    examples, _ = export(home, tmp_path / "out", episode)
    assert [e["codetape"]["path"] for e in examples] == ["src/app.py", "src/app.py", "tests/test_app.py"]
    first, second, third = examples
    assert first["events"] == ""
    assert "def greet(<|user_cursor_is_here|>):" in first["input"]
    assert "def greet(name):" in first["output"]
    assert second["events"] == ('User edited "src/app.py":\n```diff\n@@ -1,2 +1,2 @@\n-def greet():\n'
                                "+def greet(name):\n     return 'hi'\n\n```")
    assert "    return <|user_cursor_is_here|>'hi'" in second["input"]
    assert "    return f'hi {name}'" in second["output"]
    assert third["events"].startswith(second["events"] + '\n\nUser edited "src/app.py":\n```diff\n')
    assert (first["codetape"]["start_ms"], first["codetape"]["end_ms"]) == (1000, 1450)


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
