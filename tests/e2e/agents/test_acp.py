"""`codetape acp` between a real ACP client and a real ACP agent: the Agent Client Protocol's Python SDK
(`agent-client-protocol`) as the editor, Zed's Claude Code adapter from npm
(`@zed-industries/claude-agent-acp`, pinned in tests/fixtures/agent_clis) as the agent, driving the real
Claude Code binary (the pinned `@anthropic-ai/claude-code`, through the adapter's CLAUDE_CODE_EXECUTABLE)
against the scripted model (tests/support/model_server.py). The model reads app.py and edits its line 5;
the client grants or refuses the permission the adapter asks for."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from acp import PROTOCOL_VERSION, Client, connect_to_agent, text_block
from acp.schema import (
    AllowedOutcome,
    ClientCapabilities,
    Implementation,
    PermissionOption,
    RequestPermissionResponse,
    ToolCallUpdate,
)

from tests.e2e.agents.test_real_agents import NINE, exported, seal_and_verify
from tests.support.collector_harness import env_for, git, opt_in, running, wait_capturing, wait_recorded
from tests.support.model_server import Action, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import BIN, base_env, binary

TURN_TIMEOUT_S = 240.0
ADAPTER = BIN / "claude-agent-acp"


class Editor(Client):
    """The ACP client: it answers each permission request with the first option of `kind`'s family."""

    def __init__(self, grant: bool) -> None:
        self.grant = grant
        self.asked: list[tuple[str | None, list[str]]] = []

    async def request_permission(
        self, session_id: str, tool_call: ToolCallUpdate, options: list[PermissionOption], **kwargs: Any
    ) -> RequestPermissionResponse:
        self.asked.append((tool_call.title, [option.kind for option in options]))
        family = "allow_once" if self.grant else "reject_once"
        chosen = next(option for option in options if option.kind == family)
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=chosen.option_id)
        )

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        return None


async def one_turn(
    home: Path, user: Path, root: Path, model: ScriptedModel, editor: Editor, prompt: str
) -> str:
    """Start `codetape acp -- claude-agent-acp` as an editor would: one session, one prompt; the stop
    reason."""
    if not ADAPTER.exists():
        pytest.fail(f"{ADAPTER} is missing: run scripts/setup (npm ci in tests/fixtures/agent_clis)")
    env = env_for(
        home,
        {
            **base_env(user),
            "ANTHROPIC_BASE_URL": model.url,
            "ANTHROPIC_API_KEY": "sk-scripted",
            "IS_SANDBOX": "1",
            "DISABLE_TELEMETRY": "1",
            "DISABLE_AUTOUPDATER": "1",
            "DISABLE_ERROR_REPORTING": "1",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "CLAUDE_CODE_EXECUTABLE": str(binary("claude-code")),
        },
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "collector",
        "acp",
        "--",
        str(ADAPTER),
        cwd=root,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    conn = connect_to_agent(editor, proc.stdin, proc.stdout)
    try:
        await asyncio.wait_for(
            conn.initialize(
                protocol_version=PROTOCOL_VERSION,
                client_capabilities=ClientCapabilities(),
                client_info=Implementation(name="test-editor", version="1"),
            ),
            TURN_TIMEOUT_S,
        )
        session = await asyncio.wait_for(conn.new_session(mcp_servers=[], cwd=str(root)), TURN_TIMEOUT_S)
        answer = await asyncio.wait_for(
            conn.prompt(session_id=session.session_id, prompt=[text_block(prompt)]), TURN_TIMEOUT_S
        )
        return str(answer.stop_reason)
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def acp_steps(steps: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["hook"], s["event"]) for s in steps if s["kind"] == "agent" and s["agent"] == "acp"]


def wrote_app(step: dict[str, Any]) -> bool:
    """A write of app.py: in place, or (Claude Code saves through a temporary file renamed over it) the
    rename, when the file watcher saw the temporary file first."""
    return step["kind"] == "file_change" and "app.py" in (step.get("path"), step.get("new_path"))


def workspace(tmp_path: Path) -> tuple[Path, Path, Path]:
    home, user = tmp_path / "ct", tmp_path / "user"
    user.mkdir()
    root = opt_in(tmp_path / "ws", 'exclude = [".claude/"]\n', home=home)
    (root / "app.py").write_text(NINE)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return home, user, root


def test_a_granted_edit_is_the_agent_s_with_its_lines_and_everything_asked_and_answered_is_recorded(
    tmp_path: Path,
) -> None:
    home, user, root = workspace(tmp_path)
    script: list[list[Action]] = [
        [Read(root / "app.py")],
        [Edit(root / "app.py", "    return 5", "    return 5 * 11")],
        [Text("Done.")],
    ]
    editor = Editor(grant=True)
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        stop = asyncio.run(one_turn(home, user, root, model, editor, "multiply five"))
        assert stop == "end_turn", model.errors[:3]
        assert (root / "app.py").read_text() == NINE.replace("return 5", "return 5 * 11")
        steps = wait_recorded(
            daemon.home,
            root,
            lambda s: ("session/prompt", "stop") in acp_steps(s) and any(wrote_app(x) for x in s),
            "the turn and its write",
        )
        git(root, "commit", "-qam", "five")
        wait_recorded(daemon.home, root, lambda s: any(x["kind"] == "git" for x in s), "the commit")
        sealed, verified = seal_and_verify(home, root)
    assert editor.asked, acp_steps(steps)
    assert all("allow_once" in kinds for _, kinds in editor.asked)
    acp = [s for s in steps if s["kind"] == "agent"]
    assert {s["agent"] for s in acp} == {"acp"} and len({s["session"] for s in acp}) == 1
    events = acp_steps(steps)
    assert events[0] == ("session/new", "session_start") and "claude-agent-acp" in acp[0]["detail"]
    assert events[1] == ("session/prompt", "prompt") and acp[1]["prompt"] == "multiply five", events
    assert events[-1] == ("session/prompt", "stop") and acp[-1]["detail"] == "end_turn"
    asked = [s for s in acp if s["event"] == "permission_request"]
    granted = [s for s in acp if s["event"] == "permission"]
    assert asked and asked[-1]["targets"] == ["app.py"] and asked[-1]["tool"] == "edit"
    assert granted and granted[-1]["detail"] == "allow_once" and granted[-1]["targets"] == ["app.py"]
    assert ("session/update", "tool_call") in events and ("session/update", "tool_result") in events
    write = next(s for s in sealed if wrote_app(s))
    assert write["origin"] == "agent" and write["origin_detail"].startswith("acp:"), write
    assert write.get("changed_lines") == [[5, 1, 5, 1]] and write.get("changed_chars") == 5, write
    assert not any("patch" in s for s in sealed)  # the proposed diff is never written down
    assert verified.returncode == 0, verified.stdout + verified.stderr
    episode = next(p for p in (home / "episodes").glob("*.ctape"))
    [record] = exported(home, episode, "agent-trace")
    assert record["files"] == [
        {
            "path": "app.py",
            "conversations": [{"contributor": {"type": "ai"}, "ranges": [{"start_line": 5, "end_line": 5}]}],
        }
    ]


def test_a_refused_edit_is_recorded_as_refused_and_nothing_is_written(tmp_path: Path) -> None:
    home, user, root = workspace(tmp_path)
    script: list[list[Action]] = [
        [Read(root / "app.py")],
        [Edit(root / "app.py", "    return 5", "    return 55")],
        [Text("Left it.")],
    ]
    editor = Editor(grant=False)
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        stop = asyncio.run(one_turn(home, user, root, model, editor, "change five"))
        assert stop == "end_turn", model.errors[:3]
        steps = wait_recorded(
            daemon.home, root, lambda s: ("session/prompt", "stop") in acp_steps(s), "the turn"
        )
    assert (root / "app.py").read_text() == NINE
    refused = [s for s in steps if s["kind"] == "agent" and s["event"] == "permission"]
    assert refused and refused[-1]["detail"] == "reject_once" and refused[-1]["targets"] == ["app.py"]
    assert not any(wrote_app(s) for s in steps)


def test_outside_an_opted_in_workspace_nothing_is_recorded_and_the_turn_works(tmp_path: Path) -> None:
    """A session in a folder beside the opted-in workspace: forwarded all the same, recorded nowhere (the
    opted-in workspace's episode, open since a file was written in it, holds no agent step)."""
    home, user, root = workspace(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script: list[list[Action]] = [[Text("Hello.")]]
    with running(home) as daemon, daemon.client() as client, ScriptedModel(script) as model:
        wait_capturing(client, root)
        stop = asyncio.run(one_turn(home, user, elsewhere, model, Editor(grant=True), "hi"))
        assert stop == "end_turn", model.errors[:3]
        (root / "later.txt").write_text("x\n")
        steps = wait_recorded(
            daemon.home,
            root,
            lambda s: any(x.get("path") == "later.txt" for x in s),
            "a write in the workspace",
        )
    assert not [s for s in steps if s["kind"] == "agent"]
