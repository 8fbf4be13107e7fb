"""swe-messages' rows (collector/export/traces/swe_messages.py, swe_calls.py) of hand-built episodes, written
in this process; rendered through the Qwen2.5 chat template TRL ships, by TRL's own SFT preparation."""

from __future__ import annotations

import json
import re
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.dataset.output.twins import SCHEMAS, parquet
from collector.episode import open_episode, write_episode_file
from collector.export.result import ExportResult
from collector.export.traces.base.swe_calls import Whose
from collector.export.traces.swe_messages import (
    AS_JSON,
    PARSE_ARGUMENTS,
    TOOLS,
    SweMessagesDeveloperExporter,
    SweMessagesExporter,
)
from schemas import EpisodeHeader, Step, step_from_dict

PAGE = Path(__file__).resolve().parents[3] / "docs" / "exports.md"

if TYPE_CHECKING:
    import datasets


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def edit(t_ms: int, start: int, end: int, text: str, origin: str, path: str = "a.py", line: int = 0,
         detail: str | None = None) -> Step:
    extra = {"origin_detail": detail} if detail else {}
    return step("edit", t_ms, path=path, origin=origin, **extra, changes=[{"range": {
        "start": {"line": line, "character": start}, "end": {"line": line, "character": end}}, "text": text}])


def export(tmp_path: Path, header: EpisodeHeader, steps: list[Step], *,
           developer: bool = False) -> list[dict[str, Any]]:
    path = tmp_path / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps)
    result = ExportResult("swe-messages", tmp_path)
    result.splits[str(header.episode_id)] = "train"
    exporter, suffix = (SweMessagesDeveloperExporter, ".swe-messages-developer.jsonl") if developer else \
        (SweMessagesExporter, ".swe-messages.jsonl")
    exporter(tmp_path, result, suffix).add(open_episode(path))
    written = tmp_path / f"{header.episode_id}{suffix}"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]


def calls(row: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(name, arguments, result) of each tool call of a row."""
    results = {m["tool_call_id"]: m["content"] for m in row["messages"] if m["role"] == "tool"}
    return [(call["function"]["name"], json.loads(call["function"]["arguments"]), results[call["id"]])
            for m in row["messages"] for call in m.get("tool_calls") or ()]


def test_a_burst_that_leaves_its_file_as_it_was_is_no_edit_file_call(tmp_path: Path,
                                                                       episode_header: EpisodeHeader) -> None:
    """Issue 55, item 2: `x` then `u` wrote an `edit_file` call with an empty diff."""
    steps = [step("open", 0, path="a.py", text="import re\n"),
             edit(10, 0, 1, "", "typed"), edit(20, 0, 0, "i", "undo"),  # x, then u: as it was
             step("save", 30, path="a.py"),
             edit(10_000, 9, 9, "  # regex", "typed")]
    [row] = export(tmp_path, episode_header, steps)
    assert [args["diff"].splitlines()[-1] for _name, args, _result in calls(row)] == ["+import re  # regex"]


def test_an_atomic_save_seen_in_two_passes_is_one_write_of_its_file(tmp_path: Path,
                                                                      episode_header: EpisodeHeader) -> None:
    """The race tests/e2e/vscode/test_agent_meets_vscode.py found: the watcher saw an agent's temporary file
    made (empty) in one pass, and its rename over app.py in the next. That was a `write_file` of the
    temporary file with an empty diff, and app.py's new text was in no call."""
    tmp = "app.py.tmp.4242.1780000000000"
    claimed = {"origin": "agent", "origin_detail": "claude-code:PreToolUse Write"}
    empty = sha256(b"").hexdigest()
    steps = [step("open", 0, path="app.py", text="x = 1\n"),
             step("task", 5, action="start", statement="fix it"),
             step("file_change", 10, source="files", path=tmp, change="created", text="", sha256=empty,
                  size=0, **claimed),
             step("file_change", 20, source="files", path=tmp, change="renamed", new_path="app.py",
                  text="x = 2\n", sha256=sha256(b"x = 2\n").hexdigest(), size=6,
                  **claimed)]
    [row] = export(tmp_path, episode_header, steps)
    [(name, args, result)] = calls(row)
    assert (name, args["path"], result) == ("write_file", "app.py", "wrote app.py")
    assert args["diff"].splitlines()[-2:] == ["-x = 1", "+x = 2"]
    assert tmp not in row["model_patch"]


def test_a_command_and_the_tests_it_ran_are_one_run_tests_call(tmp_path: Path,
                                                                episode_header: EpisodeHeader) -> None:
    """Issue 55, item 2: `codetape run -- pytest` was a `run_tests` call and then a `run_command` call. The
    pytest plugin's run comes during the command; a JUnit report's run is read after it."""
    failed = [{"nodeid": "t.py::test_a", "outcome": "failed", "summary": "assert 1 == 2"}]
    steps = [step("test_run", 1000, args=["-q"], exit_status=1, duration_ms=300, tests=failed),
             step("command", 1400, argv=["pytest", "-q"], cwd="src", exit_code=1, duration_ms=900,
                  output_tail="1 failed"),
             step("command", 5000, command_line="make check", exit_code=2, duration_ms=2000),
             step("test_run", 5000, source="junit", framework="jest", args=["make", "check"], exit_status=2,
                  duration_ms=2000, tests=[{"nodeid": "a.test.js::adds", "outcome": "passed"}]),
             step("command", 60_000, command_line="ls", exit_code=0, duration_ms=20),
             step("test_run", 90_000, args=["-x"], exit_status=0, duration_ms=100),  # (from the editor,
             step("command", 390_000, command_line="npm run dev", exit_code=0, duration_ms=600_000)]  # later)
    [row] = export(tmp_path, episode_header, steps)
    assert calls(row) == [
        ("run_tests", {"framework": "pytest", "args": ["-q"], "command": "pytest -q", "cwd": "src"},
         "0 passed, 1 failed (exit status 1)\nFAILED t.py::test_a: assert 1 == 2\n[exit code 1]"),
        ("run_tests", {"framework": "jest", "args": ["make", "check"], "command": "make check", "cwd": "."},
         "1 passed, 0 failed (exit status 2)\n[exit code 2]"),
        ("run_command", {"command": "ls", "cwd": "."}, "[exit code 0]"),
        ("run_tests", {"framework": "pytest", "args": ["-x"]}, "0 passed, 0 failed (exit status 0)"),
        ("run_command", {"command": "npm run dev", "cwd": "."}, "[exit code 0]")]


def agent_session() -> list[Step]:
    """The developer types, prompts Claude Code, which writes b.py; accepts an inline AI suggestion."""
    agent = {"agent": "claude-code", "session": "s1", "targets": ["b.py"]}
    return [step("open", 0, path="a.py", language_id="python", text="x = 1\n"),
            edit(100, 5, 5, "  # one", "typed"),
            step("agent", 5000, hook="UserPromptSubmit", event="prompt", prompt="add b.py",
                 agent="claude-code", session="s1"),
            step("agent", 6000, hook="PreToolUse", event="tool_call", tool="Write", **agent),
            step("file_change", 6100, path="b.py", change="created", text="y = 2\n", origin="agent",
                 origin_detail="claude-code:PreToolUse Write"),
            step("agent", 6200, hook="PostToolUse", event="tool_result", tool="Write", **agent),
            edit(9000, 0, 0, "# doc\n", "ai_completion", detail="vscode:editor.action.inlineSuggest.commit"),
            step("test_run", 12_000, args=["-q"], exit_status=0, duration_ms=100),
            step("command", 12_100, command_line="pytest -q", exit_code=0, duration_ms=200)]


def test_each_message_says_whose_it_is(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    [row] = export(tmp_path, episode_header, agent_session())
    said = [(m["role"], m["actor"], m.get("agent"), m.get("tool_calls", [{}])[0].get("function", {})
             .get("name")) for m in row["messages"]]
    assert said == [
        ("system", "environment", None, None), ("user", "developer", None, None),
        ("assistant", "developer", None, "edit_file"), ("tool", "environment", None, None),
        ("user", "developer", "claude-code", None),  # the prompt, as ATIF has it: a user turn
        ("assistant", "agent", "claude-code", "write_file"), ("tool", "environment", None, None),
        ("assistant", "agent", "unknown", "edit_file"), ("tool", "environment", None, None),
        ("assistant", "developer", None, "run_tests"), ("tool", "environment", None, None)]
    assert row["messages"][4]["content"] == "add b.py"


def test_the_developer_variant_has_no_agent_call_in_an_assistant_turn(tmp_path: Path,
                                                                      episode_header: EpisodeHeader) -> None:
    """TRL masks by role: `assistant_only_loss` over this variant trains on the developer's calls alone."""
    [row] = export(tmp_path, episode_header, agent_session(), developer=True)
    assert {m["actor"] for m in row["messages"] if m["role"] == "assistant"} == {"developer"}
    agents = [m for m in row["messages"] if m["actor"] == "agent"]
    assert [m["role"] for m in agents] == ["user", "user"]
    assert agents[0]["content"].startswith(
        'claude-code (an AI agent) called write_file {"path": "b.py", "diff": ')
    assert agents[0]["content"].endswith("\nwrote b.py")
    assert "What an AI agent you prompted did comes as a user message." in row["messages"][0]["content"]

    loaded = load(tmp_path, "*.swe-messages-developer.jsonl")
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    from tests.support.trl_sft import prepare, qwen_tokenizer, trained

    tokenizer = qwen_tokenizer()
    [example] = prepare(loaded, tokenizer)
    parts = trained(tokenizer, example)
    assert [re.findall(r'"name": "(\w+)"', part) for part in parts] == [["edit_file"], ["run_tests"]]
    assert not any("b.py" in part or "# doc" in part for part in parts)


def test_language_is_the_one_of_the_most_lines_changed(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="notes.md", text=""), step("open", 10, path="a.py", text="x = 1\n"),
             edit(100, 0, 0, "# a\n\n- b\n", "typed", path="notes.md"),
             edit(5000, 0, 0, "y = 2\n", "typed"), step("task", 6000, action="start", statement="test it"),
             step("test_run", 6500, args=["-q"], exit_status=0, duration_ms=100),
             step("task", 7000, action="done")]
    rows = export(tmp_path, episode_header, steps)
    assert [row["language"] for row in rows] == [""]  # the task's row edits nothing
    [whole] = export(tmp_path, episode_header, steps[:4])
    assert whole["language"] == "markdown"  # 3 lines against python's 1


def test_a_row_without_an_assistant_call_is_left_out_and_counted(tmp_path: Path,
                                                                 episode_header: EpisodeHeader) -> None:
    """TRL's `assistant_only_loss` refuses a whole dataset in which one row has no assistant token: a task
    with no action, and in the developer variant a task the agent did alone."""
    agent = [step("agent", 100, agent="claude-code", hook="UserPromptSubmit", event="prompt", prompt="do it"),
             step("file_change", 200, path="b.py", change="created", text="y = 2\n", origin="agent",
                  origin_detail="claude-code:PostToolUse Write")]
    steps = [step("task", 0, action="start", statement="nothing"), step("task", 50, action="done"),
             step("task", 60, action="start", statement="ask"), *agent, step("task", 300, action="done")]
    path = tmp_path / f"{episode_header.episode_id}.ctape"
    write_episode_file(path, episode_header, steps)
    for exporter, suffix, rows in ((SweMessagesExporter, ".a.jsonl", ["ask"]),
                                   (SweMessagesDeveloperExporter, ".b.jsonl", [])):
        result = ExportResult("swe-messages", tmp_path, splits={str(episode_header.episode_id): "train"})
        exporter(tmp_path, result, suffix).add(open_episode(path))
        written = (tmp_path / f"{episode_header.episode_id}{suffix}").read_text(encoding="utf-8")
        assert [json.loads(line)["messages"][1]["content"] for line in written.splitlines()] == rows
        assert (result.records, result.skipped) == (len(rows), {"rows with no assistant call": 2 - len(rows)})


def test_an_acp_agent_is_named_by_its_family_only_in_unlinkable_mode() -> None:
    said = step("agent", 0, agent="acp", hook="session/new", event="session_start",
                detail="claude-agent-acp 0.23.1 claude-sonnet-4-5-20250929")
    for unlinkable, expected in ((False, "claude-agent-acp 0.23.1 claude-sonnet-4-5-20250929"),
                                 (True, "claude-agent-acp 0.23 claude-sonnet")):
        whose = Whose(unlinkable)
        whose.see(0, said)
        assert whose.which("acp") == expected and whose.which("codex") == "codex"


def load(folder: Path, pattern: str) -> datasets.Dataset:
    files = sorted(str(path) for path in folder.glob(pattern))
    import datasets  # (see the TRL tests below)

    return datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(folder / "hf"))


def test_arguments_render_once_as_an_object_after_the_readmes_map(tmp_path: Path,
                                                                   episode_header: EpisodeHeader) -> None:
    """Issue 55, item 2: `arguments` is a JSON string (the OpenAI wire format; objects would make Arrow merge
    every tool's arguments into one struct of nulls) and the Qwen2.5 template's `| tojson` encodes it again;
    docs/exports.md's one-line `map` parses it first. `tools` is one JSON string, which TRL parses."""
    assert PARSE_ARGUMENTS in PAGE.read_text(encoding="utf-8")
    [row] = export(tmp_path, episode_header, agent_session())
    assert json.loads(row["tools"]) == TOOLS
    ds = load(tmp_path, "*.swe-messages.jsonl")
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    import datasets

    from tests.support.trl_sft import prepare, qwen_tokenizer, trained

    assert ds.features["messages"] == datasets.List(datasets.Json())  # each message as written

    tokenizer = qwen_tokenizer()
    [escaped] = prepare(ds, tokenizer)
    assert '"arguments": "{\\"path\\": \\"a.py\\"' in tokenizer.decode(escaped["input_ids"])

    exec(PARSE_ARGUMENTS, {"json": json}, scope := {"ds": ds})
    [example] = prepare(scope["ds"], tokenizer)
    text = tokenizer.decode(example["input_ids"])
    assert f"<tools>\n{json.dumps(TOOLS[0])}\n" in text
    parts = trained(tokenizer, example)  # the assistant's turns
    rendered = [json.loads(found) for part in parts
                for found in re.findall(r"<tool_call>\n(.*?)\n</tool_call>", part)]
    assert [(found["name"], found["arguments"]) for found in rendered] == \
        [(name, arguments) for name, arguments, _result in calls(row)]
    assert '"arguments": "' not in text
    assert [part.count('"arguments": {') for part in parts] == [1, 1, 1, 1]


def test_a_prompt_says_how_long_its_turns_writes_persisted(tmp_path: Path,
                                                           episode_header: EpisodeHeader) -> None:
    """Issue 72, item 1: an agent's writes carry kto's persistence columns, from the turn's end: a turn
    whose file the developer emptied 13 s after it ended kept nothing at 30 s; one whose file was committed,
    then overwritten by a formatter 368 s after the turn, survived 5 minutes and to the commit, not to the
    end."""
    def turn(t_ms: int, prompt: str, path: str, text: str) -> list[Step]:
        agent = {"agent": "claude-code", "session": "s1"}
        return [step("agent", t_ms, hook="UserPromptSubmit", event="prompt", prompt=prompt, **agent),
                step("file_change", t_ms + 1000, path=path, change="created", text=text, origin="agent",
                     origin_detail="claude-code:PreToolUse Write"),
                step("agent", t_ms + 2000, hook="Stop", event="stop", **agent)]

    steps = [step("open", 0, path="a.py", text="x = 1\n"), edit(100, 5, 5, "  # one", "typed"),
             *turn(5000, "add b.py", "b.py", "y = 2\n"),  # ends at 7,000
             step("file_change", 20_000, path="b.py", change="modified", text="", origin="external"),
             *turn(30_000, "add c.py", "c.py", "z = 3\n"),  # ends at 32,000
             step("git", 40_000, op="commit", files=[{"path": "c.py", "change": "A", "added": 1}]),
             step("file_change", 400_000, path="c.py", change="modified", text="", origin="external")]
    [row] = export(tmp_path, episode_header, steps)
    columns = ("wrote_chars", "undone_within_ms", "survived_to_end", "survived_to_commit", "survived_30s",
               "survived_5min")
    said = [tuple(m[name] for name in columns) for m in row["messages"] if "wrote_chars" in m]
    assert said == [(3, 13_000, 0.0, 0.0, False, False), (3, 368_000, 0.0, 1.0, True, True)]  # `y = 2`


def test_a_row_loaded_from_its_parquet_twin_renders_as_its_json_line(tmp_path: Path,
                                                                     episode_header: EpisodeHeader) -> None:
    """Issue 71: loaded by name, a row comes from its Parquet twin (collector/dataset/output/twins.py), each
    message one struct of every field, null where it has none; after the README's map, TRL's SFT
    preparation with Qwen2.5's template gives the same tokens as from the JSON line, once the twin's
    messages are cast back to JSON values (AS_JSON, as docs/exports.md says)."""
    assert AS_JSON in PAGE.read_text(encoding="utf-8")
    export(tmp_path, episode_header, agent_session())
    [lines] = tmp_path.glob("*.swe-messages.jsonl")
    twin = tmp_path / "twin" / "row.parquet"
    twin.parent.mkdir()
    twin.write_bytes(parquet(SCHEMAS["swe-messages"], lines.read_bytes(), lines.name))
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    import datasets

    from tests.support.trl_sft import prepare, qwen_tokenizer

    tokenizer = qwen_tokenizer()
    made = []
    twinned = datasets.load_dataset("parquet", data_files=[str(twin)], split="train",
                                    cache_dir=str(tmp_path / "hf"))
    exec(AS_JSON, {"datasets": datasets}, cast := {"ds": twinned})
    for ds in (load(tmp_path, "*.swe-messages.jsonl"), cast["ds"]):
        exec(PARSE_ARGUMENTS, {"json": json}, scope := {"ds": ds})
        [example] = prepare(scope["ds"], tokenizer)
        made.append(example["input_ids"])
    assert made[0] == made[1]


def test_a_turn_reverted_but_for_its_indentation_kept_nothing(tmp_path: Path,
                                                              episode_header: EpisodeHeader) -> None:
    """Issue 89: survival counts non-whitespace characters: a turn whose written line the developer
    deleted but for its indentation and line break kept nothing, at every horizon."""
    agent = {"agent": "claude-code", "session": "s1"}
    for indent in ("", "    ", "\t", "        "):
        where = tmp_path / str(len(indent)) / ("tab" if "\t" in indent else "spaces")
        where.mkdir(parents=True)
        written = f"{indent}y = 2\n"
        steps = [step("open", 0, path="a.py", text="x = 1\n"), edit(100, 5, 5, "  # one", "typed"),
                 step("agent", 5000, hook="UserPromptSubmit", event="prompt", prompt="add b.py", **agent),
                 step("file_change", 6000, path="b.py", change="created", text=written, origin="agent",
                      origin_detail="claude-code:PreToolUse Write"),
                 step("agent", 7000, hook="Stop", event="stop", **agent),
                 step("open", 8000, path="b.py", text=written),
                 edit(9000, len(indent), len(indent) + 5, "", "typed", path="b.py")]  # `y = 2` deleted
        [row] = export(where, episode_header, steps)
        [said] = [m for m in row["messages"] if "wrote_chars" in m]
        assert (said["wrote_chars"], said["undone_within_ms"], said["survived_to_end"], said["survived_30s"],
                said["survived_5min"]) == (3, 2000, 0.0, False, False), (indent, said)
