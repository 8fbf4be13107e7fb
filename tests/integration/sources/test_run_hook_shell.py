"""`codetape hook bash|zsh` in real interactive shells (commands fed on stdin, and typed into tmux)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from collector.home import Home
from collector.protocol.client import Client
from collector.sources.shell.shell_hook import SHELLS, snippet
from tests.support.collector_harness import codetape, env_for, episode_steps, running, wait_recorded
from tests.support.terminal import Terminal
from tests.waiting import wait_for

# `sleep 0.3` in these sessions is a command typed by the developer, whose recorded duration is checked
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


def interactive_bash(rc: Path, home: Path, script: str, cwd: Path, *,
                     sessions: list[int] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `script` in an interactive bash; with `sessions`, in a session of its own, whose id is added."""
    with subprocess.Popen(["bash", "--rcfile", str(rc), "-i"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd, env=env_for(home), text=True,
                          start_new_session=sessions is not None) as proc:
        if sessions is not None:
            sessions.append(proc.pid)
        out, err = proc.communicate(script + "exit\n", timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def living(sessions: list[int]) -> list[psutil.Process]:
    """The processes still running in these sessions (what a shell started and left behind)."""
    alive = []
    for proc in psutil.process_iter():
        with contextlib.suppress(OSError, psutil.Error):
            if os.getsid(proc.pid) in sessions and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
    return alive


def commands(home: Path, ws: Path, count: int) -> list[dict[str, Any]]:
    """The command steps of the workspace's episode, sealed once `count` of them are recorded (the
    recorder sends them without waiting for an answer, so they may still be on their way)."""
    wait_recorded(Home(home.resolve()), ws, lambda steps: sum(s["kind"] == "command" for s in steps) >= count,
                  f"{count} command steps")
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
        wait_for(lambda: recorder_gone(home), what="the shell's recorder to finish and exit")
        steps = commands(home, ws, len(EXPECTED))
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
        wait_for(lambda: recorder_gone(home), what="the recorders to exit")
        recorded = len(commands(home, ws, 3 * (count + 1)))
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
    sessions: list[int] = []
    plain = interactive_bash(rcfile(tmp_path, home, hooked=False), home, script, tmp_path, sessions=sessions)
    hooked = interactive_bash(rcfile(tmp_path, home, hooked=True), home, script, tmp_path, sessions=sessions)
    assert (hooked.returncode, hooked.stdout, hooked.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    # whatever the shells started in the background (a recorder would be) has finished its work too
    wait_for(lambda: not living(sessions), what="every process the shells started to exit",
             detail=lambda: f"still running: {[p.cmdline() for p in living(sessions)]}")
    assert sorted(p.name for p in Home(home.resolve()).run.iterdir()) == []
    assert not Home(home.resolve()).socket.exists()


def test_without_a_collector_the_recorder_starts_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    interactive_bash(rcfile(tmp_path, home, hooked=True), home, f"cd {ws}\necho started\n", tmp_path)
    try:
        wait_for(lambda: recorder_gone(home) and Home(home.resolve()).socket.exists(), what="recording")
        assert [s["command_line"] for s in commands(home, ws, 1)] == ["echo started"]
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
        (zdot / ".zshrc").write_text(f"PS1='%% '\nHISTFILE={tmp_path / 'zhistory'}\n{hook.stdout}")
        command = f"env ZDOTDIR={zdot} zsh -i"
    env = env_for(home)
    term = Terminal(tmp_path / "tmux.sock")
    prompt = "$" if shell == "bash" else "%"  # PS1 above
    typed = ("echo typed", "true | false", "cd sub && pwd", "sleep 0.3")

    def prompts(screen: str) -> int:  # tmux leaves out the blanks at the end of a line
        return sum(line == prompt or line.startswith(f"{prompt} ") for line in screen.splitlines())

    with running(home):
        term.start(f"cd {ws} && exec {command}", env, width=120, height=40)
        try:
            term.wait(lambda screen: prompts(screen) == 1, "the first prompt")
            for shown, line in enumerate(typed, start=2):  # like a typist, each line once the prompt is back
                term.keys("-l", line)
                term.keys("Enter")
                term.wait(lambda screen, shown=shown: prompts(screen) == shown, f"the prompt after {line!r}")
            term.keys("-l", "exit")
            term.keys("Enter")
            wait_for(lambda: subprocess.run(["tmux", "-S", term.socket, "has-session"], env=env,
                                            capture_output=True, check=False).returncode != 0,
                     what="the tmux session to end")
        finally:
            term.stop()
        wait_for(lambda: recorder_gone(home), what="the recorder to exit")
        steps = commands(home, ws, len(typed))
    assert [(s["command_line"], s.get("cwd", "."), s.get("exit_code", 0)) for s in steps] == \
        [("echo typed", ".", 0), ("true | false", ".", 1), ("cd sub && pwd", ".", 0), ("sleep 0.3", "sub", 0)]
    assert 300 <= steps[-1]["duration_ms"] < 3000


@pytest.mark.parametrize(("version", "hooked"), [("3 2 57 1 release", False), ("4 1 17 1 release", False),
                                                 ("4 2 0 1 release", True), ("5 2 15 1 release", True)])
def test_the_bash_hook_installs_from_bash_4_2_and_says_why_not_before(version: str, hooked: bool,
                                                                     tmp_path: Path) -> None:
    """macOS's /bin/bash is 3.2, whose printf has no %(...)T: the hook says so in one line, installs nothing.
    This bash reads its version from another array (BASH_VERSINFO is read-only); the parse is bash 5's."""
    text = snippet("bash", Home(tmp_path / "h")).replace("BASH_VERSINFO", "__version")
    script = f"__version=({version}); BASH_VERSION=x\n{text}\ndeclare -F __codetape_precmd\n"
    done = subprocess.run(["bash", "--norc", "--noprofile", "-i"], input=script, capture_output=True,
                          text=True, check=False, timeout=30)
    refused = "codetape: the shell hook needs bash 4.2 or later, this is x: nothing is recorded" in \
        done.stderr
    assert ("__codetape_precmd" in done.stdout, refused) == (hooked, not hooked), done.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_snippets_quote_the_home_and_interpreter(shell: str, tmp_path: Path) -> None:
    home = Home(tmp_path / "it's a home")
    text = snippet(shell, home, python="/opt/py $HOME/python")
    assert "'/opt/py $HOME/python'" in text
    assert str(home.run).replace("'", "'\"'\"'") in text
    if shell == "bash":
        assert subprocess.run(["bash", "-n"], input=text, text=True, check=False).returncode == 0


def test_collector_stop_in_a_hooked_shell_sticks_and_codetape_commands_are_not_recorded(
        tmp_path: Path) -> None:
    """Issue 51: the hook recorded `codetape collector stop` itself, and sending it started the collector
    again, in a new episode. Now the stop sticks until `codetape resume`, codetape's own commands are not
    recorded (`codetape run -- CMD` records CMD), and the hook says once that recording is stopped."""
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    rc = rcfile(tmp_path, home, hooked=True)
    program = Path(sys.executable).parent / "codetape"  # as installed: the line's program is `codetape`
    sessions: list[int] = []
    # (two shells, one after the other: a shell's recorder sends its records up to POLL_S after the prompt,
    # while `codetape run` sends its own at once, so a run right after a command may be recorded first)
    for script in (f"cd {ws}\necho before\n{program} status\n{program} episodes\n",
                   f"cd {ws}\n{program} run -- echo run\n"):
        before = interactive_bash(rc, home, script, tmp_path, sessions=sessions)
        assert before.returncode == 0, before.stderr
        wait_for(lambda: recorder_gone(home), what="the recorder to send the commands and exit")
    stopped = interactive_bash(rc, home, f"cd {ws}\n{program} collector stop\necho while stopped\n",
                               tmp_path, sessions=sessions)
    assert stopped.returncode == 0, stopped.stderr
    assert "collector: stopped" in stopped.stdout
    assert "until you run `codetape resume`" in stopped.stderr  # said by the stop: the hook says no more
    assert "not recording: you stopped it" not in stopped.stderr, stopped.stderr
    other = interactive_bash(rc, home, f"cd {ws}\necho elsewhere\necho again\n", tmp_path, sessions=sessions)
    told = [line for line in other.stderr.splitlines() if "not recording: you stopped it" in line]
    assert told == ["codetape: not recording: you stopped it (codetape collector stop); "
                    "codetape resume records again"], other.stderr
    # whatever the shells started has finished: no recorder is left to start the collector again
    wait_for(lambda: not living(sessions), what="every process the shells started to exit",
             detail=lambda: f"still running: {[p.cmdline() for p in living(sessions)]}")
    state = Home(home.resolve())
    assert not state.socket.exists(), "something started the collector again after `codetape collector stop`"
    sealed = sorted(state.episodes.glob("*.ctape"))
    assert len(sealed) == 1, sealed
    lines = [(s.get("command_line") or s.get("argv"), s["source"])
             for s in episode_steps(sealed[0]) if s["kind"] == "command"]
    assert lines == [("echo before", "shell"), (["echo", "run"], "run")]
    resumed = interactive_bash(rc, home, f"cd {ws}\n{program} resume\necho after\n", tmp_path)
    assert "codetape: recording again" in resumed.stderr, resumed.stderr
    try:
        wait_for(lambda: recorder_gone(home), what="the recorder to exit")
        assert [s["command_line"] for s in commands(home, ws, 1)] == ["echo after"]
    finally:
        stop = codetape(home, "collector", "stop")
        assert stop.returncode == 0, stop.stderr
