"""No codetape process imports code from the folder it is started in. A repository with top-level
`collector/`, `schemas/` and `lsp_bridge/` packages of its own (here: each writes a marker and exits 7 when
imported) runs none of them, whichever way codetape starts itself: an agent's hook as `agent hook install`
writes it, a client's autostart (and the `collector --detach` it runs), the shell hook's recorder, the
review's report, the drain and the seal ahead the collector starts, the demo's command lines."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit

from collector.daemon.ahead import ahead_command
from collector.daemon.drain import upload_command
from collector.home import Home
from collector.protocol.client import Client
from collector.review.report import make_report
from tests.integration.sources.test_run_hook_shell import interactive_bash, rcfile
from tests.support.collector_harness import env_for, opt_in, running, wait_recorded

EPISODE = Path(__file__).parents[2] / "fixtures" / "episodes" / "full.ctape"
HOSTILE = "import pathlib\npathlib.Path({marker!r}).open('a').write({name!r} + '\\n')\nraise SystemExit(7)\n"
CODETAPE = Path(sys.executable).parent / "codetape"  # the console script, as PATH finds it


def hostile(folder: Path) -> Path:
    """Give `folder` the packages a hostile (or merely unlucky) repository has; returns the marker file
    that importing any of them writes."""
    marker = folder.parent / f"{folder.name}-ran"
    for name in ("collector", "schemas", "lsp_bridge"):
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "__init__.py").write_text(HOSTILE.format(marker=str(marker), name=name))
    return marker


def ran(marker: Path) -> str:
    return marker.read_text() if marker.exists() else ""


def test_the_agent_hooks_as_installed_run_codetape_not_the_repository(tmp_path: Path) -> None:
    home, user = tmp_path / "ct", tmp_path / "user"
    ws = opt_in(tmp_path / "ws", home=home)
    marker = hostile(ws)
    env = {"HOME": str(user)}
    done = subprocess.run([CODETAPE, "agent", "hook", "install", "--yes", "--dir", str(ws)], cwd=ws,
                          env=env_for(home, env), capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    claude = json.loads((ws / ".claude/settings.local.json").read_text())
    cursor = json.loads((user / ".cursor/hooks.json").read_text())
    codex = tomlkit.parse((user / ".codex/config.toml").read_text())
    commands = {"claude-code": claude["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"],
                "cursor": cursor["hooks"]["beforeSubmitPrompt"][0]["command"],
                "codex": codex["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]}
    prompts = {"claude-code": {"session_id": "s1", "hook_event_name": "UserPromptSubmit", "cwd": str(ws),
                               "prompt": "first"},
               "cursor": {"conversation_id": "s2", "generation_id": "g", "workspace_roots": [str(ws)],
                          "hook_event_name": "beforeSubmitPrompt", "prompt": "second"},
               "codex": {"session_id": "s3", "turn_id": "1", "hook_event_name": "UserPromptSubmit",
                         "cwd": str(ws), "model": "gpt-5-codex", "prompt": "third"}}
    with running(home) as daemon:
        for agent, command in commands.items():
            assert " -P " in command, command  # never the folder it runs in on sys.path
            hooked = subprocess.run(["sh", "-c", command], input=json.dumps(prompts[agent]).encode(), cwd=ws,
                                    env=env_for(home, env), capture_output=True, timeout=60, check=False)
            assert (hooked.returncode, hooked.stderr, ran(marker)) == (0, b"", ""), agent
        steps = wait_recorded(daemon.home, ws, lambda s: sum(x["kind"] == "agent" for x in s) == 3,
                              "the three agents' prompts")
    assert sorted(s["prompt"] for s in steps if s["kind"] == "agent") == ["first", "second", "third"]


def test_an_autostart_from_the_repository_starts_codetape_s_collector(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    ws = opt_in(tmp_path / "ws", home=home)
    marker = hostile(ws)
    noted = subprocess.run([CODETAPE, "note", "started from the repository"], cwd=ws, env=env_for(home),
                           capture_output=True, timeout=60, check=False)
    try:
        assert (noted.returncode, ran(marker)) == (0, ""), noted.stderr
        Client.connect(Home(home.resolve()), autostart=False, timeout=5.0).close()  # it listens
    finally:
        stopped = subprocess.run([CODETAPE, "collector", "stop"], cwd=ws, env=env_for(home),
                                 capture_output=True, timeout=60, check=False)
    assert (stopped.returncode, ran(marker)) == (0, ""), stopped.stderr


def test_the_shell_hook_s_recorder_runs_codetape_not_the_repository(tmp_path: Path) -> None:
    home = tmp_path / "ct"
    ws = opt_in(tmp_path / "ws", home=home)
    marker = hostile(ws)
    with running(home) as daemon:
        shell = interactive_bash(rcfile(tmp_path, home, hooked=True), home, "echo from-the-repository\n", ws)
        assert shell.returncode == 0, shell.stderr
        steps = wait_recorded(daemon.home, ws, lambda s: any(x["kind"] == "command" for x in s),
                              "the shell's command")
    assert [s["command_line"] for s in steps if s["kind"] == "command"] == ["echo from-the-repository"]
    assert ran(marker) == ""


def test_the_review_s_report_runs_codetape_not_the_repository(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    marker = hostile(ws)
    monkeypatch.chdir(ws)
    report = make_report(EPISODE, "full")
    try:
        assert report.read_text().lstrip().lower().startswith("<!doctype html")
    finally:
        shutil.rmtree(report.parent)  # the review's Reports removes it; here, the test
    assert ran(marker) == ""


def test_what_the_collector_starts_runs_codetape_not_the_repository(tmp_path: Path) -> None:
    """The drain and the seal ahead inherit the collector's working directory: a collector started in the
    foreground from the repository has it there."""
    home = tmp_path / "ct"
    home.mkdir()
    (home / "config.toml").write_text(f'[upload]\nto = "{(tmp_path / "uploads").as_uri()}"\n')
    ws = tmp_path / "ws"
    marker = hostile(ws)
    drained = subprocess.run(upload_command(), cwd=ws, env=env_for(home), capture_output=True, timeout=60,
                             check=False)
    assert (drained.returncode, ran(marker)) == (0, ""), drained.stderr
    ahead = subprocess.run(ahead_command(tmp_path / "none.journal", tmp_path, ws), cwd=ws, env=env_for(home),
                           capture_output=True, timeout=60, check=False)
    assert ran(marker) == ""
    assert b"journal" in ahead.stdout, ahead  # its own answer: the journal is not there


def test_the_demo_s_hint_and_every_spawned_codetape_leave_the_folder_off_the_path() -> None:
    from collector.cli.commands.demo import invoked_as
    from collector.demo.run import BRIDGE

    assert shlex.split(invoked_as({"PATH": ""}))[1:] == ["-P", "-m", "collector"]
    assert BRIDGE[1:] == ["-P", "-m", "lsp_bridge"]


def test_a_repository_with_its_own_schemas_package_is_recorded(tmp_path: Path) -> None:
    """An ordinary `schemas/__init__.py` (many services have one) kept the autostarted collector from
    starting in the repository, so nothing was recorded there."""
    home = tmp_path / "ct"
    ws = opt_in(tmp_path / "ws", home=home)
    (ws / "schemas").mkdir()
    (ws / "schemas/__init__.py").write_text('"""This service\'s own schemas."""\n')
    try:
        started = subprocess.run([CODETAPE, "task", "start", "a task in the repository"], cwd=ws,
                                 env=env_for(home), capture_output=True, timeout=60, check=False)
        assert started.returncode == 0, started.stderr
        steps = wait_recorded(Home(home.resolve()), ws, lambda s: any(x["kind"] == "task" for x in s),
                              "the task step")
        assert [s["kind"] for s in steps if s["kind"] == "task"] == ["task"]
    finally:
        subprocess.run([CODETAPE, "collector", "stop"], env=env_for(home), capture_output=True, timeout=60,
                       check=False)
