"""Whose write it was (collector/daemon/agent_claims.py): the file changes an agent's tool calls claim, on
the daemon's clock (milliseconds), without a collector."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from msgspec.structs import replace

from collector.daemon.agent_claims import OPEN_MS, WINDOW_MS, AgentClaims
from collector.sources.agents.payloads import from_payload, to_step
from schemas import Step, step_from_dict
from schemas.steps import AgentStep, FileChangeStep

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "agents"


def step(kind: str, **fields: Any) -> Step:
    """A step as the session holds it after admission: typed, `t_ms` 0 (the hook's, unless named)."""
    return step_from_dict({"kind": kind, "t_ms": 0, "source": "agent", **fields})


def hook(event: str, hook_name: str, session: str = "s1", **fields: Any) -> AgentStep:
    made = step("agent", agent="claude-code", hook=hook_name, event=event, session=session, **fields)
    assert isinstance(made, AgentStep)
    return made


def bash(event: str, hook_name: str, session: str = "s1") -> AgentStep:
    return hook(event, hook_name, session, tool="Bash", command_line="cat > notes.md <<'EOF'")


def edit(event: str, hook_name: str, session: str = "s1") -> AgentStep:
    return hook(event, hook_name, session, tool="Edit", targets=["app.py"])


def origin(claims: AgentClaims, at_ms: int, path: str = "notes.md", **fields: Any) -> tuple[Any, Any]:
    """Whose write at `at_ms` of `path` is, the write then written to the episode as the session does."""
    [written] = claims.attribute(at_ms, step("file_change", source="files", path=path, change="created",
                                             **fields))
    assert isinstance(written, FileChangeStep)
    if written.origin == "agent":
        claims.taken(at_ms, written)
    return written.origin, written.origin_detail


def test_a_shell_call_claims_the_writes_of_any_file_until_its_result() -> None:
    claims = AgentClaims()
    claims.note(10_000, bash("tool_call", "PreToolUse"))
    assert origin(claims, 10_400) == ("agent", "claude-code:PreToolUse Bash")
    assert origin(claims, 10_400, path="src/gen.py") == ("agent", "claude-code:PreToolUse Bash")
    assert origin(claims, 9_999) == (None, None)  # before the call
    claims.note(11_000, bash("tool_result", "PostToolUse"), now=11_080)  # the result came 80 ms later
    assert origin(claims, 10_900) == ("agent", "claude-code:PostToolUse Bash")  # (the latest evidence)
    # the watcher stamps a write once its burst went quiet: those stamped until the result came are its own
    assert origin(claims, 11_080) == ("agent", "claude-code:PostToolUse Bash")
    assert origin(claims, 11_081) == (None, None)  # after its result: a shell command writes no more
    # a write that carries its origin already keeps it
    assert origin(claims, 10_400, origin="external") == ("external", None)


def test_a_shell_result_claims_what_was_written_just_before_it() -> None:
    """Cursor's afterShellExecution (it has no call hook codetape installs), or a call that waited for the
    developer's permission longer than OPEN_MS."""
    claims = AgentClaims()
    claims.note(50_000, replace(bash("tool_result", "afterShellExecution"), agent="cursor", tool=None))
    assert origin(claims, 50_000 - WINDOW_MS) == ("agent", "cursor:afterShellExecution")
    assert origin(claims, 50_000 - WINDOW_MS - 1) == (None, None)


def test_a_path_s_claim_is_preferred_to_a_shell_s() -> None:
    claims = AgentClaims()
    claims.note(1_000, bash("tool_call", "PreToolUse", session="other"))
    claims.note(1_100, edit("tool_call", "PreToolUse"))
    assert origin(claims, 1_200, path="app.py") == ("agent", "claude-code:PreToolUse Edit")
    assert origin(claims, 1_200) == ("agent", "claude-code:PreToolUse Bash")


def test_a_refused_call_ends_at_the_session_s_next_hook_that_is_no_call() -> None:
    """A PreToolUse with no PostToolUse (the developer said no): the session's next prompt or Stop ends
    its claim; another session's hooks do not."""
    refusal = hook("prompt", "UserPromptSubmit", prompt="no, do it differently")
    for next_hook in (refusal, hook("stop", "Stop")):
        claims = AgentClaims()
        claims.note(0, edit("tool_call", "PreToolUse"))
        claims.note(500, hook("prompt", "UserPromptSubmit", session="s2", prompt="elsewhere"))
        assert origin(claims, 600, path="app.py") == ("agent", "claude-code:PreToolUse Edit")
        claims.note(1_000, next_hook)
        assert origin(claims, 900, path="app.py") == ("agent", "claude-code:PreToolUse Edit")
        assert origin(claims, 1_001, path="app.py") == (None, None)


def test_calls_run_side_by_side_each_keep_their_writes_until_their_own_result() -> None:
    """opencode runs an answer's edit and shell command side by side: the edit's write, stamped after the
    command began and still held when the command's result came, is the edit's, not the command's."""
    claims = AgentClaims()
    claims.note(1_000, replace(edit("tool_call", "tool.execute.before"), agent="opencode", tool="edit"))
    claims.note(1_010, replace(bash("tool_call", "tool.execute.before"), agent="opencode", tool="bash"))
    claims.note(1_100, replace(bash("tool_result", "tool.execute.after"), agent="opencode", tool="bash"),
                now=1_120)
    assert origin(claims, 1_150, path="app.py") == ("agent", "opencode:tool.execute.before edit")
    assert not claims.claimed(1_150, step("file_change", source="files", path="app.py", change="modified"),
                              settled=True)  # the edit still runs: its write waits for its result
    claims.note(1_300, replace(edit("tool_result", "tool.execute.after"), agent="opencode", tool="edit"))
    assert origin(claims, 1_150, path="app.py") == ("agent", "opencode:tool.execute.after edit")
    assert origin(claims, 1_050) == ("agent", "opencode:tool.execute.after bash")  # the command's own file
    assert origin(claims, 1_400) == (None, None)  # both ended


# Which writes a refused call takes, per agent, from its recorded hook payloads (tests/fixtures/agents/):
# the developer's write after the agent's next hook that says the call is over is not the call's

def recorded(agent: str, name: str, **tool_input: Any) -> AgentStep:
    """The step of the agent's recorded payload `name` (its tool_input's fields replaced by `tool_input`),
    its targets workspace-relative as admission leaves them (every file of the fixtures is in the root)."""
    payload = json.loads((FIXTURES / agent / f"{name}.json").read_bytes())
    if tool_input:
        payload["tool_input"] = {**payload["tool_input"], **tool_input}
    return as_step(agent, payload)


def as_step(agent: str, payload: dict[str, Any]) -> AgentStep:
    fields = to_step(from_payload(agent, payload))  # type: ignore[arg-type]
    fields.pop("patch", None)
    fields["targets"] = [PurePosixPath(target).name for target in fields.get("targets", [])]
    made = step("agent", **{name: value for name, value in fields.items() if name != "kind"})
    assert isinstance(made, AgentStep)
    return made


def test_claude_code_s_refused_call_ends_at_its_next_call() -> None:
    """Claude Code runs a tool that may change a file alone (only read-only tools side by side), sends no
    PostToolUse for a call it did not run, and no Stop after the developer's refusal: its next call says
    the refused one is over."""
    claims = AgentClaims()
    claims.note(0, recorded("claude-code", "PreToolUse"))  # Edit app.py, refused
    assert origin(claims, 300, path="app.py") == ("agent", "claude-code:PreToolUse Edit")  # not known yet
    claims.note(1_000, recorded("claude-code", "PreToolUse", file_path="/home/dev/project/notes.md"))
    assert origin(claims, 1_500, path="app.py") == (None, None)  # the developer's own
    assert origin(claims, 1_500) == ("agent", "claude-code:PreToolUse Edit")  # the next call's path
    claims.note(2_000, recorded("claude-code", "UserPromptSubmit"))
    assert origin(claims, 2_100) == (None, None)


def test_codex_s_refused_call_ends_at_a_call_that_cannot_run_beside_it() -> None:
    """Codex sends PostToolUse only for a call that succeeded, runs apply_patch alone and shell commands
    side by side: an apply_patch ends a refused command, another command does not."""
    claims = AgentClaims()
    claims.note(0, recorded("codex", "PreToolUse-apply_patch"))  # app.py, refused
    claims.note(1_000, recorded("codex", "PreToolUse-Bash"))
    assert origin(claims, 1_500, path="app.py") == ("agent", "codex:PreToolUse Bash")  # not the patch's
    claims = AgentClaims()
    claims.note(0, recorded("codex", "PreToolUse-Bash", command="make"))  # refused
    claims.note(10, recorded("codex", "PreToolUse-Bash"))
    claims.note(100, recorded("codex", "PostToolUse-Bash"), now=120)
    assert origin(claims, 500) == ("agent", "codex:PreToolUse Bash")  # make may still run beside it
    claims.note(1_000, recorded("codex", "PreToolUse-apply_patch"))  # runs alone: make is over
    assert origin(claims, 1_500) == (None, None)
    assert origin(claims, 1_500, path="app.py") == ("agent", "codex:PreToolUse apply_patch")


def test_gemini_cli_s_refused_call_ends_at_its_next_call() -> None:
    """Gemini CLI sends BeforeTool before it asks the developer and AfterTool only for a call that ran;
    it runs the tools that change files one at a time."""
    claims = AgentClaims()
    claims.note(0, recorded("gemini-cli", "BeforeTool-replace"))  # app.py, refused
    claims.note(1_000, recorded("gemini-cli", "BeforeTool-replace", file_path="/home/dev/project/notes.md"))
    assert origin(claims, 1_500, path="app.py") == (None, None)
    assert origin(claims, 1_500) == ("agent", "gemini-cli:BeforeTool replace")
    claims.note(2_000, recorded("gemini-cli", "AfterAgent"))
    assert origin(claims, 2_100) == (None, None)


def test_opencode_s_refused_call_ends_at_the_session_going_idle() -> None:
    """opencode runs an answer's calls side by side and sends tool.execute.after only for a call that ran:
    another call or result ends nothing, session.idle (its loop stopped at the refusal) ends it."""
    claims = AgentClaims()
    claims.note(0, recorded("opencode", "tool.execute.before-edit"))  # app.py, refused
    claims.note(10, recorded("opencode", "tool.execute.before-bash"))
    claims.note(100, recorded("opencode", "tool.execute.after-bash"), now=120)
    assert origin(claims, 1_000, path="app.py") == ("agent", "opencode:tool.execute.before edit")
    claims.note(2_000, recorded("opencode", "session.idle"))
    assert origin(claims, 2_100, path="app.py") == (None, None)


def test_cursor_s_refused_shell_command_ends_at_its_next_result() -> None:
    """Cursor sends afterShellExecution only for a command that ran; codetape installs no call hook of
    Cursor's, so only a beforeShellExecution of the developer's own opens a call, and Cursor's next result
    ends it."""
    call = json.loads((FIXTURES / "cursor" / "afterShellExecution.json").read_bytes())
    claims = AgentClaims()
    claims.note(0, as_step("cursor", {**call, "hook_event_name": "beforeShellExecution"}))  # refused
    assert origin(claims, 500) == ("agent", "cursor:beforeShellExecution")
    claims.note(1_000, recorded("cursor", "afterFileEdit"))  # main.ts
    assert origin(claims, 1_500) == (None, None)
    assert origin(claims, 1_500, path="main.ts") == ("agent", "cursor:afterFileEdit")


def test_an_unanswered_call_expires_within_seconds() -> None:
    """The developer's own `sed -i` 8 s after a refused Edit, no hook between, is not the agent's."""
    assert OPEN_MS <= 5_000
    claims = AgentClaims()
    claims.note(0, edit("tool_call", "PreToolUse"))
    claims.note(0, bash("tool_call", "PreToolUse", session="s2"))
    assert origin(claims, OPEN_MS, path="app.py")[0] == "agent"
    assert origin(claims, 8_000, path="app.py") == (None, None)
    assert origin(claims, OPEN_MS + 1) == (None, None)


def test_the_result_s_report_of_the_change_goes_on_the_write_it_fits() -> None:
    """Claude Code's structuredPatch (carried by the hook as `patch`, by path) says which lines the Edit
    replaced; the write the watcher saw gets them, checked against its text; the report itself is never
    on a step."""
    claims = AgentClaims()
    claims.note(1_000, edit("tool_call", "PreToolUse"))
    write = step("file_change", source="files", path="app.py", change="modified", text="a\nB\nc\n")
    assert claims.claimed(1_050, write) and not claims.claimed(1_050, write, settled=True)  # still running
    hunks = [{"oldStart": 1, "oldLines": 3, "newStart": 1, "newLines": 3, "lines": [" a", "-b", "+B", " c"]}]
    claims.note(1_100, edit("tool_result", "PostToolUse"), patch={"app.py": hunks})
    assert claims.claimed(1_050, write, settled=True)
    [written] = claims.attribute(1_050, write)
    assert isinstance(written, FileChangeStep)
    assert written.origin_detail == "claude-code:PostToolUse Edit"
    assert (written.changed_lines, written.changed_chars) == ([[2, 1, 2, 1]], 1)
    # a text that holds none of the Edit's hunks is not its write, whatever window it falls in (issue 86)
    [other] = claims.attribute(1_060, replace(write, text="a\nb\nc\nd\n"))
    assert isinstance(other, FileChangeStep) and other.origin is None
    assert not claims.claimed(1_060, replace(write, text="a\nb\nc\nd\n"))


def test_a_change_holding_the_hunks_and_another_writer_s_lines_is_split_by_its_text() -> None:
    """Issue 86, item 2: the developer saved a line 0-66 ms before Codex's apply_patch of the same file, and
    the watcher saw both in one change: her change first (no origin), then the agent's; a later save that
    holds the agent's lines but none new is hers; a tool that reported no hunks claims by time."""
    claims = AgentClaims()
    patch = "*** Update File: app.py\n@@\n a\n-b\n+B\n"
    claims.note(1_000, replace(edit("tool_call", "PreToolUse"), agent="codex", tool="apply_patch"),
                patch={"app.py": patch})
    both = step("file_change", source="files", path="app.py", change="modified", text="a\nB\nc\nmine\n")
    assert claims.claimed(1_040, both, settled=True, before="a\nb\nc\n")  # by its text: at once
    hers, agent = claims.attribute(1_040, both, "a\nb\nc\n")
    assert isinstance(hers, FileChangeStep) and isinstance(agent, FileChangeStep)
    assert (hers.text, hers.origin, agent.text, agent.origin) == ("a\nb\nc\nmine\n", None, both.text, "agent")
    assert claims.attribute(1_040, both, "a\nb\nc\nmine\n") == [agent]  # her save already recorded
    later = replace(both, text="a\nB\nc\nmine\nmore\n")
    assert claims.attribute(1_100, later, "a\nB\nc\nmine\n") == [later]  # the agent's lines were there
    shell = AgentClaims()
    shell.note(1_000, bash("tool_call", "PreToolUse"))
    assert shell.attribute(1_040, both)[0].origin == "agent"
    assert shell.attribute(1_040, both, explained=True) == [both]  # an editor's save explains it: hers
    assert not shell.claimed(1_040, both, explained=True)


def test_a_result_claims_one_write_of_its_path_and_not_the_editor_s_save_just_after() -> None:
    """Issue 54, item 5: the editor read the agent's write in and saved the file 200 ms after the tool's
    result; the save had been claimed as the agent's second write (Codex: the write claimed by its call;
    Claude Code: the write stamped after its result)."""
    codex = AgentClaims()
    codex.note(4_081, edit("tool_call", "PreToolUse"))
    assert origin(codex, 4_117, path="app.py") == ("agent", "claude-code:PreToolUse Edit")
    codex.note(4_117, edit("tool_result", "PostToolUse"))
    assert origin(codex, 4_319, path="app.py") == (None, None)
    claude = AgentClaims()
    claude.note(7_338, edit("tool_call", "PreToolUse"))
    claude.note(7_496, edit("tool_result", "PostToolUse"))
    assert origin(claude, 7_520, path="app.py") == ("agent", "claude-code:PostToolUse Edit")  # stamped late
    assert origin(claude, 7_722, path="app.py") == (None, None)
    assert origin(claude, 7_722, path="other.py") == (None, None)


def test_a_result_claims_its_own_write_stamped_late_though_a_turn_before_wrote_the_file_just_before() -> None:
    """Issue 73: two turns of Claude Code edit app.py 500 ms apart; the second's write, stamped by the
    watcher after its result, is the agent's (it was taken for the first turn's, already claimed)."""
    claims = AgentClaims()
    claims.note(849, edit("tool_call", "PreToolUse"))
    assert origin(claims, 914, path="app.py") == ("agent", "claude-code:PreToolUse Edit")
    claims.note(914, edit("tool_result", "PostToolUse"))
    claims.note(978, hook("stop", "Stop"))
    claims.note(1_251, hook("prompt", "UserPromptSubmit", prompt="add a docstring"))
    claims.note(1_375, edit("tool_call", "PreToolUse"))
    claims.note(1_430, edit("tool_result", "PostToolUse"))
    claims.note(1_500, hook("stop", "Stop"))
    assert origin(claims, 1_566, path="app.py") == ("agent", "claude-code:PostToolUse Edit")
    assert origin(claims, 1_700, path="app.py") == (None, None)  # (one write a result claims)
