"""`codetape hook bash|zsh` in real interactive shells (commands fed on stdin, and typed into tmux)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from collector.protocol.client import Client
from tests.integration.collector_harness import codetape, env_for, episode_steps, running, wait_for

SESSION = """\
cd {ws}
echo one
false

 echo hidden from history
echo one
echo one
cd sub
ls /nonexistent-dir | cat
for i in 1 2; do
  echo $i
done
sleep 0.3
cd /
echo outside
"""
EXPECTED = [("echo one", ".", 0), ("false", ".", 1), ("echo one", ".", 0), ("echo one", ".", 0),
            ("cd sub", ".", 0), ("ls /nonexistent-dir | cat", "sub", 0),
            ("for i in 1 2; do   echo $i; done", "sub", 0), ("sleep 0.3", "sub", 0), ("cd /", "sub", 0)]


def rcfile(tmp_path: Path, home: Path, *, hooked: bool) -> Path:
    hook = codetape(home, "hook", "bash")
    assert hook.returncode == 0, hook.stderr
    (tmp_path / "hook.sh").write_text(hook.stdout)
    rc = tmp_path / ("rc-hooked" if hooked else "rc-plain")
    rc.write_text(f"PS1='$ '\nHISTFILE={tmp_path / 'history'}\nHISTCONTROL=ignoreboth\n"
                  + (f"source {tmp_path / 'hook.sh'}\n" if hooked else ""))
    return rc


def interactive_bash(rc: Path, home: Path, script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "--rcfile", str(rc), "-i"], input=script + "exit\n", cwd=cwd,
                          env=env_for(home), capture_output=True, text=True, timeout=60, check=False)


def commands(home: Path, ws: Path) -> list[dict[str, Any]]:
    sealed = codetape(home, "seal", "--json", str(ws))
    assert sealed.returncode == 0, sealed.stderr
    result = json.loads(sealed.stdout)
    steps = [] if result is None else episode_steps(Path(result["path"]))
    return [s for s in steps if s["kind"] == "command"]


def workspace(tmp_path: Path, home: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    assert codetape(home, "init", str(ws)).returncode == 0
    return ws.resolve()


def recorder_gone(home: Path) -> bool:
    return not list(Home(home.resolve()).run.glob("shell-*.pid"))


def test_commands_typed_in_an_interactive_bash_become_steps(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    with running(home):
        session = SESSION.format(ws=ws)
        plain = interactive_bash(rcfile(tmp_path, home, hooked=False), home, session, tmp_path)
        hooked = interactive_bash(rcfile(tmp_path, home, hooked=True), home, session, tmp_path)
        assert (hooked.returncode, hooked.stdout, hooked.stderr) == \
            (plain.returncode, plain.stdout, plain.stderr)
        wait_for(lambda: recorder_gone(home), 20, "the shell's recorder to finish and exit")
        steps = commands(home, ws)
    assert [(s["command_line"], s.get("cwd", "."), s.get("exit_code", 0)) for s in steps] == EXPECTED
    assert all(s["source"] == "shell" and "output_tail" not in s and "argv" not in s for s in steps)
    sleep = steps[EXPECTED.index(("sleep 0.3", "sub", 0))]
    assert 300 <= sleep["duration_ms"] < 3000
    assert not list(Home(home.resolve()).run.glob("shell-*.spool*")), "spools are consumed"


def test_the_prompt_waits_for_nothing_measured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """200 commands in an opted-in workspace, timed inside the shell, with and without the hook."""
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    count = 200
    script = (f"cd {ws}; t0=$EPOCHREALTIME\n" + ":\n" * count
              + "echo \"elapsed ${EPOCHREALTIME//[!0-9]/} ${t0//[!0-9]/}\" >&2\n")

    def elapsed_us(hooked: bool) -> int:
        done = interactive_bash(rcfile(tmp_path, home, hooked=hooked), home, script, tmp_path)
        report = next(line for line in done.stderr.splitlines() if line.startswith("elapsed "))
        end, start = report.split()[1:]
        return int(end) - int(start)

    with running(home):
        plain = min(elapsed_us(False) for _ in range(3))
        hooked = min(elapsed_us(True) for _ in range(3))
        wait_for(lambda: recorder_gone(home), 30, "the recorders to exit")
        recorded = len(commands(home, ws))
    added_ms = (hooked - plain) / count / 1000
    with capsys.disabled():
        print(f"\nprompt delay added by the bash hook: {added_ms:.3f} ms per command "
              f"({count} commands: {hooked / 1000:.1f} ms hooked, {plain / 1000:.1f} ms plain)")
    assert recorded == 3 * (count + 1)  # each `:` and the `echo` that reports the time
    assert added_ms < 5.0


def test_outside_opted_in_workspaces_the_hook_does_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = f"cd {elsewhere}\necho hi\nfalse\n"
    plain = interactive_bash(rcfile(tmp_path, home, hooked=False), home, script, tmp_path)
    hooked = interactive_bash(rcfile(tmp_path, home, hooked=True), home, script, tmp_path)
    assert (hooked.returncode, hooked.stdout, hooked.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    time.sleep(0.5)
    assert sorted(p.name for p in Home(home.resolve()).run.iterdir()) == []
    assert not Home(home.resolve()).socket.exists()


def test_without_a_collector_the_recorder_starts_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    interactive_bash(rcfile(tmp_path, home, hooked=True), home, f"cd {ws}\necho started\n", tmp_path)
    try:
        wait_for(lambda: recorder_gone(home) and Home(home.resolve()).socket.exists(), 30, "recording")
        assert [s["command_line"] for s in commands(home, ws)] == ["echo started"]
    finally:
        with Client.connect(Home(home.resolve()), autostart=False) as client:
            client.request("shutdown")


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_commands_typed_on_a_real_terminal_in_tmux(shell: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    if shell == "bash":
        command = f"bash --rcfile {rcfile(tmp_path, home, hooked=True)} -i"
    else:
        hook = codetape(home, "hook", "zsh")
        assert hook.returncode == 0, hook.stderr
        zdot = tmp_path / "zdot"
        zdot.mkdir()
        (zdot / ".zshrc").write_text(f"PS1='% '\nHISTFILE={tmp_path / 'zhistory'}\n{hook.stdout}")
        command = f"env ZDOTDIR={zdot} zsh -i"
    sock = str(tmp_path / "tmux.sock")
    env = env_for(home)

    def tmux(*args: str) -> None:
        subprocess.run(["tmux", "-S", sock, *args], env=env, check=True, timeout=30)

    with running(home):
        tmux("new-session", "-d", "-x", "120", "-y", "40", "-c", str(ws), command)
        for line in ("echo typed", "true | false", "cd sub && pwd", "sleep 0.3"):
            tmux("send-keys", "-l", line)
            tmux("send-keys", "Enter")
            time.sleep(0.5)
        tmux("send-keys", "-l", "exit")
        tmux("send-keys", "Enter")
        wait_for(lambda: subprocess.run(["tmux", "-S", sock, "has-session"], env=env, capture_output=True,
                                        check=False).returncode != 0, 20, "the tmux session to end")
        wait_for(lambda: recorder_gone(home), 20, "the recorder to exit")
        steps = commands(home, ws)
    assert [(s["command_line"], s.get("cwd", "."), s.get("exit_code", 0)) for s in steps] == \
        [("echo typed", ".", 0), ("true | false", ".", 1), ("cd sub && pwd", ".", 0), ("sleep 0.3", "sub", 0)]
    assert 300 <= steps[-1]["duration_ms"] < 3000
