"""What an agent's text names beside its targets (issue 53, item 4): an ACP tool call's title becomes the
step's `detail`, so `Read notes/private/plan.md` (excluded at capture) and `Read ~/.aws/credentials`
(outside the workspace) reached the signed episode though the targets were dropped. A real collector
admits the steps; the paths are masked in every free-text field, the rest of the text kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

from collector.policy.mentions import LEFT_OUT
from collector.protocol.clock import now_ms
from tests.support.collector_harness import codetape_process, episode_steps, opt_in, running, settle


def test_an_agent_s_text_names_no_path_the_workspace_may_not_record(tmp_path: Path) -> None:
    home = tmp_path / "h"
    ws = opt_in(tmp_path / "ws", 'exclude = ["notes/private/"]\n', home=home)
    (ws / "notes" / "private").mkdir(parents=True)
    user_home = os.path.expanduser("~")
    steps = [
        {"kind": "agent", "source": "agent", "agent": "acp", "hook": "session/update", "event": "tool_call",
         "tool": "read", "targets": [str(ws / "notes" / "private" / "plan.md")],
         "detail": "Read notes/private/plan.md"},
        {"kind": "agent", "source": "agent", "agent": "acp", "hook": "session/update", "event": "tool_call",
         "tool": "read", "targets": [f"{user_home}/.aws/credentials"], "detail": "Read ~/.aws/credentials"},
        {"kind": "agent", "source": "agent", "agent": "acp", "hook": "session/update", "event": "tool_call",
         "tool": "read", "targets": [str(ws / "src" / "app.py")], "detail": "Read src/app.py",
         "prompt": "compare src/app.py with ../other/app.py and notes/private/plan.md"},
    ]
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(ws, "agent")["recording"]
        client.send_steps([(now_ms(), step) for step in steps])
        settle(client)
        sealed = codetape_process(daemon.home.root, "seal", "--json", str(ws))
    assert sealed.returncode == 0, sealed.stderr
    agents = [s for s in episode_steps(Path(json.loads(sealed.stdout)["path"])) if s["kind"] == "agent"]
    assert [(s.get("targets", []), s["detail"]) for s in agents] == [
        ([], f"Read {LEFT_OUT}"), ([], f"Read {LEFT_OUT}"), (["src/app.py"], "Read src/app.py")]
    assert agents[2]["prompt"] == f"compare src/app.py with {LEFT_OUT} and {LEFT_OUT}"
    said = json.dumps(agents)
    assert "plan.md" not in said and "credentials" not in said
