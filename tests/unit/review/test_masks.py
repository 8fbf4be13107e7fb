"""What the review leaves out is masked where else it is written: a left-out prompt in any spelling (shell
quotes, a JSON string, arguments split into words), an excluded file's bare name and its path in any
spelling. Through `trim_episode`, on episode files written here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.episode import open_episode
from collector.redact import PLACEHOLDER_RE
from collector.review.plan import TrimPlan
from collector.review.trim import trim_episode
from collector.verify.integrity import verify_replay
from schemas import step_to_dict
from tests.unit.review.test_trim import dumped, write

QUOTED = 'ship the "falcon" release tonight'
APOSTROPHE = "don't touch the billing code"
SHORT = "go on"
MULTI = "first, the usual checks\nthen move the cormorant budget"


def agent(t_ms: int, **fields: Any) -> dict[str, Any]:
    return {"kind": "agent", "t_ms": t_ms, "source": "agent", "agent": "claude-code", "session": "s",
            **fields}


def command(t_ms: int, **fields: Any) -> dict[str, Any]:
    return {"kind": "command", "t_ms": t_ms, "source": "shell", "exit_code": 0, **fields}


def prompts_session() -> list[dict[str, Any]]:
    steps = [agent(n, hook="UserPromptSubmit", event="prompt", prompt=prompt)
             for n, prompt in enumerate((QUOTED, APOSTROPHE, SHORT, MULTI, "yes"))]
    steps += [
        command(10, source="run", argv=["claude", "-p", QUOTED], output_tail=f"asked: {QUOTED}\n"),
        command(11, source="run", argv=["codex", "exec", *APOSTROPHE.split()]),
        command(12, source="run", argv=["claude", "-p", SHORT]),
        command(13, source="run", argv=["pytest", "-k", "go"]),
        command(14, command_line='claude -p "ship the \\"falcon\\" release tonight"'),
        command(15, command_line="codex exec 'don'\\''t touch the billing code' | tee out.txt"),
        command(16, command_line="codex exec 'don'\"'\"'t touch the billing code'"),
        command(17, command_line="claude -p go   on && claude -p 'go on' && echo going on"),
        agent(18, hook="PreToolUse", event="tool_call", tool="Bash",
              command_line=f"git commit -m {json.dumps(QUOTED)}"),
        {"kind": "test_run", "t_ms": 19, "source": "pytest", "exit_status": 1, "tests": [
            {"nodeid": "tests/test_x.py::test_ask", "outcome": "failed",
             "summary": f"AssertionError: assert {json.dumps({'prompt': QUOTED})!r} == ''"}]},
        {"kind": "note", "t_ms": 20, "source": "cli", "text": "then move the cormorant budget, said I"},
        {"kind": "note", "t_ms": 21, "source": "cli", "text": "we go on holiday"},
        command(22, source="run", argv=["yes"], command_line="yes | head -3"),
    ]
    return steps


def test_left_out_prompts_are_masked_in_any_spelling_as_arguments_and_shell_words(tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", prompts_session())
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().without_prompts())
    text = dumped(result.path)
    for needle in ("falcon", "billing", "cormorant", "usual checks", "-p go", "'go on'"):
        assert needle not in text, needle
    steps = [step_to_dict(step) for step in open_episode(result.path).steps()]
    argvs = [step["argv"] for step in steps if step.get("argv")]
    assert [argv[:2] for argv in argvs[:3]] == [["claude", "-p"], ["codex", "exec"], ["claude", "-p"]]
    assert all(len(argv) == 3 and argv[2].startswith("«redacted:left-out-prompt:") for argv in argvs[:3])
    assert argvs[3] == ["pytest", "-k", "go"]  # a word of a short prompt is not the prompt
    lines = [step["command_line"] for step in steps if step["kind"] == "command" and "command_line" in step]
    # one prompt, one placeholder: on its own, quoted, escaped inside double quotes
    quoted = argvs[0][2]
    assert lines[0] == f"claude -p {quoted}" and steps[0]["kind"] == "agent"
    assert f"asked: {quoted}" in text and f"git commit -m {quoted}" in text
    assert lines[1].startswith("codex exec «redacted:left-out-prompt:")
    assert lines[1].endswith(" | tee out.txt")
    assert lines[3].endswith(" && echo going on")
    assert {"text": "we go on holiday"}.items() <= next(s for s in steps if s.get("t_ms") == 21).items()
    # a prompt of one word of letters is ordinary text: only its own step loses it
    yes = next(s for s in steps if s["kind"] == "command" and s["t_ms"] == 22)
    assert {"argv": ["yes"], "command_line": "yes | head -3"}.items() <= yes.items()
    assert [s.get("prompt") for s in steps if s["kind"] == "agent"] == [None] * 6
    assert set(result.new_counts) == {"left-out-prompt"}
    verify_replay(open_episode(result.path))


def test_prompts_stay_where_the_review_keeps_them(tmp_path: Path) -> None:
    src = write(tmp_path / "src.ctape", prompts_session())
    result = trim_episode(src, tmp_path / "out.ctape", TrimPlan().redact("cormorant"))
    text = dumped(result.path)
    assert "falcon" in text and "billing" in text and '"claude", "-p", "go on"' in text


NAME_FILES = [
    {"kind": "file_change", "t_ms": 0, "source": "watcher", "path": "notes/plan-b.md", "change": "created",
     "text": "x\n"},
    {"kind": "file_change", "t_ms": 1, "source": "watcher", "path": "notes/todo.md", "change": "created",
     "text": "y\n"},
    {"kind": "file_change", "t_ms": 2, "source": "watcher", "path": "notes/__init__.py", "change": "created",
     "text": "w\n"},
    {"kind": "file_change", "t_ms": 3, "source": "watcher", "path": "pkg/__init__.py", "change": "created",
     "text": "z\n"},
    {"kind": "file_change", "t_ms": 4, "source": "watcher", "path": "docs/index.md", "change": "created",
     "text": "see plan-b.md\n"},
]


def test_an_excluded_file_s_name_is_masked_as_a_word_and_its_path_in_every_spelling(tmp_path: Path) -> None:
    outputs = ["__init__.py  plan-b.md\ntodo.md\n", "cat ./plan-b.md ../plan-b.md .\\plan-b.md",
               "plan-b.md.bak",
               "docs/plan-b.md myplan-b.md plan-b.mdx", "assert 'notes\\\\plan-b.md' == ''",
               "C:\\\\Users\\\\dev\\\\w\\\\notes\\\\plan-b.md", "file:///home/dev/w/notes%2Fplan-b.md",
               "%2Fhome%2Fdev%2Fw%2Fnotes%2Fplan-b.md"]
    steps = [*NAME_FILES, *(command(10 + n, source="run", argv=["ls"], output_tail=out)
                            for n, out in enumerate(outputs))]
    result = trim_episode(write(tmp_path / "src.ctape", steps), tmp_path / "out.ctape",
                          TrimPlan().exclude("notes/plan-b.md").exclude("notes/__init__.py"))
    after = [step_to_dict(step) for step in open_episode(result.path).steps()]
    shown = [step["output_tail"] for step in after if step["kind"] == "command"]
    name = "«redacted:excluded-name:1»"
    assert shown[0] == f"__init__.py  {name}\ntodo.md\n"  # a name a kept file has too tells nothing
    assert shown[1] == f"cat ./{name} ../{name} .\\{name}"
    assert shown[2] == f"{name}.bak"
    assert shown[3] == "docs/plan-b.md myplan-b.md plan-b.mdx"  # another file, other names
    assert all("plan-b" not in out and "notes" not in out for out in shown[4:]), shown[4:]
    assert all("«redacted:excluded-path:" in out for out in shown[4:])
    # the kept files keep their names and texts: the developer's own
    kept = {step["path"]: step.get("text") for step in after if step["kind"] == "file_change"}
    assert kept == {"notes/todo.md": "y\n", "pkg/__init__.py": "z\n", "docs/index.md": "see plan-b.md\n"}
    assert set(result.new_counts) == {"excluded-name", "excluded-path"}


def test_a_part_of_a_prompt_that_ends_inside_a_placeholder_takes_all_of_it(tmp_path: Path) -> None:
    prompt = "deploy the heron build with «redacted:github-token:1» tonight"
    steps = [agent(0, hook="UserPromptSubmit", event="prompt", prompt=prompt),
             command(1, source="run", argv=["echo"],
                     output_tail="deploy the heron build with «redacted:github-token:2» later")]
    result = trim_episode(write(tmp_path / "src.ctape", steps), tmp_path / "out.ctape",
                          TrimPlan().without_prompts())
    out = [step_to_dict(step) for step in open_episode(result.path).steps()][1]["output_tail"]
    placeholder, rest = out.split(" ", 1)
    assert PLACEHOLDER_RE.fullmatch(placeholder) and rest == "later"  # nothing left of the one cut through
