"""Managed settings that let only managed hooks run, with the pinned Claude Code and Codex (issue 54, item 6).

The managed files are system files (/etc/claude-code/managed-settings.json, /etc/codex/requirements.toml
and /etc/codex/config.toml), so each command runs in a mount namespace of its own whose /etc is an overlay:
the files are written into the overlay's upper layer, and the machine's /etc is untouched. With
`allowManagedHooksOnly` (Claude Code) or `allow_managed_hooks_only` (Codex) the agent does not call
codetape's hook installed as the user's (its call would touch `run/agent-NAME.called` in that hook's
home), calls codetape's hook in the managed form (`codetape agent hook run --agent NAME`, no CODETAPE_HOME:
the user's default home, whose collector records the turn), and `codetape doctor` and `status` say so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.agents.test_real_agents import trust_as_the_user_would
from tests.support.collector_harness import git, opt_in, running, wait_capturing, wait_recorded
from tests.support.model_server import Action, Bash, Read, ScriptedModel, Text
from tests.support.real_agents import codex_config, ran, run_claude, run_codex

CODETAPE = Path(sys.executable).parent / "codetape"  # a system path's program, as an administrator installs

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                                reason="needs root (as CI runs) for a mount namespace")


def in_namespace(layer: Path) -> list[str]:
    """The words that run a command in a mount namespace whose /etc shows `layer`/upper over the real one."""
    for name in ("upper", "work"):
        (layer / name).mkdir(parents=True, exist_ok=True)
    setup = f"mount -t overlay overlay -o lowerdir=/etc,upperdir={layer}/upper,workdir={layer}/work /etc"
    return ["unshare", "--mount", "--propagation", "private", "sh", "-ec", f'{setup}; exec "$@"', "sh"]


def machine(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """(the user's HOME, the default codetape home there, an opted-in git workspace, the other home the
    user's hook names: its run folder exists, so a call of that hook would mark it)."""
    user = tmp_path / "user"
    (user / ".codex").mkdir(parents=True)
    home = user / ".local" / "share" / "codetape"  # platformdirs' for this HOME, XDG_DATA_HOME unset
    root = opt_in(tmp_path / "ws", home=home)
    (root / "app.py").write_text("print(1)\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    other = tmp_path / "other-home"
    (other / "run").mkdir(parents=True, mode=0o700)
    other.chmod(0o700)
    return user, home, root, other


def codetape_in(layer: Path, user: Path, home: Path, *args: str,
                cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(user), "CODEX_HOME": str(user / ".codex"),
           "CODETAPE_HOME": str(home), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return subprocess.run([*in_namespace(layer), sys.executable, "-P", "-m", "collector", *args], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def install_as_user(user: Path, other: Path, root: Path, agent: str) -> None:
    env = {**os.environ, "HOME": str(user), "CODEX_HOME": str(user / ".codex"), "CODETAPE_HOME": str(other)}
    done = subprocess.run([sys.executable, "-m", "collector", "agent", "hook", "install", "--yes", "--agent",
                           agent, "--dir", str(root)], env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_claude_code_runs_only_the_managed_form_of_codetape_s_hook(tmp_path: Path) -> None:
    user, home, root, other = machine(tmp_path)
    install_as_user(user, other, root, "claude-code")  # the user's hook, in .claude/settings.local.json
    layer = tmp_path / "layer"
    managed = layer / "upper" / "claude-code" / "managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text(json.dumps({"allowManagedHooksOnly": True}))
    said = codetape_in(layer, user, home, "doctor", cwd=root)
    assert ("PROBLEM agent claude-code: /etc/claude-code/managed-settings.json sets allowManagedHooksOnly: "
            f"the agent runs only managed hooks, so it ignores codetape's hook in {root}/.claude/"
            "settings.local.json") in said.stdout, said.stdout + said.stderr
    status = codetape_in(layer, user, home, "status")
    assert "claude-code: /etc/claude-code/managed-settings.json sets allowManagedHooksOnly" in status.stdout

    command = f"{CODETAPE} agent hook run --agent claude-code"  # docs/agents.md's managed form
    handler = [{"type": "command", "command": command}]
    hooks: dict[str, list[dict[str, object]]] = {event: [{"hooks": handler}]
                                                 for event in ("UserPromptSubmit", "Stop")}
    hooks["PostToolUse"] = [{"matcher": "Edit|Write|Bash", "hooks": handler}]
    managed.write_text(json.dumps({"allowManagedHooksOnly": True, "hooks": hooks}))
    said = codetape_in(layer, user, home, "doctor", cwd=root)
    assert ("ok      agent claude-code: managed hook in /etc/claude-code/managed-settings.json"
            in said.stdout), said.stdout
    assert "ignores codetape's hook" not in said.stdout
    assert "claude-code:" not in codetape_in(layer, user, home, "status").stdout

    script: list[list[Action]] = [[Read(root / "app.py")], [Bash("echo ran > out.txt")], [Text("Done.")]]
    with running(home, env={"HOME": str(user)}) as daemon, daemon.client() as client, \
            ScriptedModel(script) as model:
        wait_capturing(client, root)
        done = run_claude(model, user, root, "run it", prefix=in_namespace(layer))
        assert done.returncode == 0 and "Done." in done.stdout, ran(done, model)
        steps = wait_recorded(daemon.home, root, lambda s: any(
            x["kind"] == "agent" and x["hook"] == "Stop" for x in s), "the managed hook's Stop")
    hooked = [(s["hook"], s.get("tool")) for s in steps if s["kind"] == "agent"]
    assert hooked == [("UserPromptSubmit", None), ("PostToolUse", "Bash"), ("Stop", None)], hooked
    assert not (other / "run" / "agent-claude-code.called").exists()  # the user's hook was never called


def test_codex_runs_only_the_managed_form_of_codetape_s_hook(tmp_path: Path) -> None:
    user, home, root, other = machine(tmp_path)
    layer = tmp_path / "layer"
    codex = layer / "upper" / "codex"
    codex.mkdir(parents=True)
    (codex / "requirements.toml").write_text("allow_managed_hooks_only = true\n")
    script: list[list[Action]] = [[Bash("echo ran > out.txt")], [Text("Done.")]]
    with running(home, env={"HOME": str(user)}) as daemon, daemon.client() as client, \
            ScriptedModel(script) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model))
        install_as_user(user, other, root, "codex")  # the user's hooks, in ~/.codex/config.toml...
        trust_as_the_user_would(user / ".codex" / "config.toml")  # ...trusted: they would run otherwise
        said = codetape_in(layer, user, home, "doctor", cwd=root)
        problem = "PROBLEM agent codex: /etc/codex/requirements.toml sets allow_managed_hooks_only"
        assert problem in said.stdout, said.stdout + said.stderr

        command = f"{CODETAPE} agent hook run --agent codex"  # docs/agents.md's managed form
        (codex / "config.toml").write_text("".join(
            f'[[hooks.{event}]]\n{matcher}[[hooks.{event}.hooks]]\ntype = "command"\n'
            f'command = "{command}"\n\n'
            for event, matcher in (("UserPromptSubmit", ""), ("PostToolUse", 'matcher = "^Bash$"\n'),
                                   ("Stop", ""))))
        said = codetape_in(layer, user, home, "doctor", cwd=root)
        assert "ok      agent codex: managed hook in /etc/codex/config.toml" in said.stdout, said.stdout

        wait_capturing(client, root)
        done = run_codex(model, user, root, "run it", bypass_hook_trust=False, prefix=in_namespace(layer))
        assert done.returncode == 0 and "Done." in done.stdout, ran(done, model)
        steps = wait_recorded(daemon.home, root, lambda s: any(
            x["kind"] == "agent" and x["hook"] == "Stop" for x in s), "the managed hook's Stop")
    hooked = [(s["hook"], s.get("tool")) for s in steps if s["kind"] == "agent"]
    assert hooked == [("UserPromptSubmit", None), ("PostToolUse", "Bash"), ("Stop", None)], hooked
    assert not (other / "run" / "agent-codex.called").exists()  # the user's hooks were never called
