"""An agent's free text names no path the workspace may not record (issue 53, item 4)."""

from __future__ import annotations

from pathlib import Path

from collector.policy.mentions import LEFT_OUT, masked_mentions
from collector.policy.recording import Policy
from schemas.settings import WorkspaceSettings


def test_paths_outside_the_workspace_or_excluded_are_masked_and_the_rest_kept(tmp_path: Path) -> None:
    policy = Policy.under(tmp_path, WorkspaceSettings(exclude=["notes/private/"]))
    try:
        said = {
            "Read notes/private/plan.md": f"Read {LEFT_OUT}",
            "Read ~/.aws/credentials": f"Read {LEFT_OUT}",
            "Edit .env, then src/app.py": f"Edit {LEFT_OUT}, then src/app.py",
            "Run ../other/x.py.": f"Run {LEFT_OUT}.",
            f"Read {tmp_path}/src/a.py": f"Read {tmp_path}/src/a.py",
            "see https://example.org/a/b.md": "see https://example.org/a/b.md",
            "Read /etc/passwd": f"Read {LEFT_OUT}",
            "plain words only": "plain words only",
        }
        for text, masked in said.items():
            assert masked_mentions(text, policy, "/home/u") == masked, text
    finally:
        policy.close()


def test_the_seal_masks_them_under_the_settings_in_force_then(tmp_path: Path) -> None:
    from collector.seal.in_force import InForce
    from schemas.steps import AgentStep

    step = AgentStep(t_ms=0, source="agent", agent="acp", hook="session/update", event="tool_call",
                     detail="Read notes/private/plan.md", command_line="cat notes/private/plan.md")
    settings = WorkspaceSettings(exclude=["notes/private/"])  # made stricter after the step was admitted
    (kept,) = InForce(settings).drop(iter([step]), tmp_path)
    assert isinstance(kept, AgentStep)
    assert (kept.detail, kept.command_line) == (f"Read {LEFT_OUT}", f"cat {LEFT_OUT}")
