"""`codetape collector stop` and how `codetape status` says the collector was started: in the foreground,
by a command that found none running (autostart), by `--detach`, by systemd (the user unit docs/using.md
gives, checked with systemd-analyze and started as systemd starts it)."""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.cli.commands.collector import STAYS_STOPPED
from collector.home import Home
from collector.protocol.clock import now_ms
from tests.support.collector_harness import (
    codetape_process,
    env_for,
    episode_steps,
    opt_in,
    running,
    settle,
)
from tests.waiting import wait_for

PAGE = Path(__file__).resolve().parents[3] / "docs" / "using.md"
NOTE = {"kind": "note", "source": "bridge", "text": "before the stop"}


def status(home: Path) -> dict[str, Any]:
    done = codetape_process(home, "status", "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def stop(home: Path) -> subprocess.CompletedProcess[str]:
    done = codetape_process(home, "collector", "stop")
    assert done.returncode == 0 and done.stdout.splitlines()[-1:] in (["collector: stopped"],
                                                                      ["collector: not running"]), done
    return done


def test_stop_seals_what_the_collector_holds_and_waits_until_it_has_stopped(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    with running(tmp_path / "h") as daemon:
        said = codetape_process(daemon.home.root, "status")
        assert "started with `codetape collector` in the foreground (by " in said.stdout, said.stdout
        assert "stop it with: codetape collector stop" in said.stdout
        started = status(daemon.home.root)["started"]
        assert started["how"] == "foreground" and started["parent_pid"] == os.getpid()
        with daemon.client() as client:
            assert client.hello(ws, "bridge")["recording"]
            client.send_step(now_ms(), NOTE)
            settle(client)
            episode = client.request("status")["workspaces"][0]["episode"]
            done = stop(daemon.home.root)
            assert client.next_event(10) == {"event": "sealed", "episode": episode, "workspace": str(ws),
                                             "path": str(daemon.home.episodes / f"{episode}.ctape"),
                                             "steps": 1, "files": 0}
        # the command returned once the collector had stopped: nothing left running, nothing left open
        assert daemon.proc.poll() == 0
        assert done.stdout.splitlines() == [f"sealed {episode} ({ws})", "collector: stopped"]
        assert "sealing 1 open episode" in done.stderr
        assert [s["text"] for s in episode_steps(daemon.home.episodes / f"{episode}.ctape")] == [NOTE["text"]]
        assert not daemon.home.socket.exists() and not list(daemon.home.journals.glob("*.journal"))
        assert daemon.home.run.joinpath("stopped").exists()  # nothing starts it on its own now
        assert done.stderr.splitlines()[-1] == STAYS_STOPPED
        again = stop(daemon.home.root)
        assert again.stdout == "collector: not running\n" and again.stderr == f"{STAYS_STOPPED}\n"


def test_the_stop_command_loads_neither_the_daemon_nor_redaction(tmp_path: Path) -> None:
    """A stop is mostly its own process's start: it imports what asking and waiting need, not the serving
    daemon's modules nor the seal's (the collector seals)."""
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    probe = ("import sys\nfrom collector.cli.main import main\nmain(['collector', 'stop'])\n"
             "print(sorted(m for m in sys.modules if m.startswith(('collector.daemon.server', "
             "'collector.daemon.session', 'collector.redact', 'collector.seal'))), file=sys.stderr)\n")
    with running(tmp_path / "h") as daemon:
        with daemon.client() as client:
            assert client.hello(ws, "bridge")["recording"]
            client.send_step(now_ms(), NOTE)
            settle(client)
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                              env=env_for(daemon.home.root))
        assert done.returncode == 0 and done.stdout.splitlines()[-1:] == ["collector: stopped"], done
        assert done.stderr.splitlines()[-1] == "[]", done.stderr
        assert daemon.proc.poll() == 0


def test_a_command_that_autostarts_the_collector_is_named(tmp_path: Path) -> None:
    home = tmp_path / "h"
    ws = opt_in(tmp_path / "ws", home=home)
    try:
        sealed = codetape_process(home, "seal", str(ws))  # needs the collector: starts it
        assert sealed.returncode == 0 and sealed.stdout == "nothing recorded\n", sealed
        started = status(home)["started"]
        assert started["how"] == "autostart" and started["by"] == "codetape seal", started
        assert re.fullmatch(r"started by `codetape seal` \(pid \d+\), which found no collector running",
                            started["text"])
        said = codetape_process(home, "status").stdout
        assert started["text"] in said
    finally:
        stop(home)
    detached = codetape_process(home, "collector", "--detach")
    try:
        assert detached.returncode == 0, detached.stderr
        assert status(home)["started"] == {"how": "detach",
                                           "text": "started with `codetape collector --detach`"}
    finally:
        stop(home)


def readme_unit() -> str:
    """The systemd user unit docs/using.md gives."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"<!-- systemd-unit:[^\n]*-->\n```ini\n(.*?)```", text, re.DOTALL)
    assert found, "docs/using.md lost its systemd unit (after the `<!-- systemd-unit: ... -->` marker)"
    return found.group(1)


def exec_start(unit: str, home: Path) -> list[str]:
    """The unit's ExecStart as systemd runs it for a user whose home is `home` (%h expanded)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(unit)
    return [word.replace("%h", str(home)) for word in parser["Service"]["ExecStart"].split()]


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    """A home whose ~/.local/bin/codetape is this checkout's, as pipx or uv tool would install it."""
    home = tmp_path / "user"
    (home / ".local" / "bin").mkdir(parents=True)
    codetape = Path(sys.executable).parent / "codetape"
    assert codetape.exists(), f"{codetape} missing: run scripts/setup"
    (home / ".local" / "bin" / "codetape").symlink_to(codetape)
    return home


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze on this machine")
def test_the_readme_unit_passes_systemd_analyze_verify(tmp_path: Path, user_home: Path) -> None:
    unit = tmp_path / "codetape.service"
    unit.write_text(readme_unit(), encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(user_home), "XDG_RUNTIME_DIR": str(runtime)}
    done = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    (user_home / ".local" / "bin" / "codetape").unlink()  # the check can fail: a missing program does
    missing = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], env=env, capture_output=True,
                             text=True, timeout=60, check=False)
    assert missing.returncode != 0 and "codetape" in missing.stderr


@contextlib.contextmanager
def as_a_service(argv: list[str], home: Path, user_home: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The collector started by `argv` for the user `user_home` (its output in home's sibling
    collector.log), once it listens; stopped at the end if the test left it running."""
    with (home.parent / "collector.log").open("wb") as log:
        proc = subprocess.Popen(argv, env=env_for(home, {"HOME": str(user_home)}), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: Home(home).socket.exists() or proc.poll() is not None,
                     what="the collector to listen")
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)


def test_the_readme_units_exec_start_runs_the_collector_and_status_says_systemd(tmp_path: Path,
                                                                                user_home: Path) -> None:
    home = tmp_path / "h"
    argv = exec_start(readme_unit(), user_home)
    assert argv == [str(user_home / ".local/bin/codetape"), "collector"]
    # started as systemd starts a service: the program exec'd with SYSTEMD_EXEC_PID its own pid
    as_systemd = ["sh", "-c", 'SYSTEMD_EXEC_PID=$$ INVOCATION_ID="$0" exec "$@"', uuid.uuid4().hex, *argv]
    with as_a_service(as_systemd, home, user_home) as proc:
        started = status(home)["started"]
        assert started["how"] == "systemd" and started["text"].startswith("started by systemd"), started
        assert status(home)["pid"] == proc.pid
        stop(home)
        assert proc.wait(30) == 0  # a clean stop: Restart=on-failure leaves it stopped

def readme_agent() -> dict[str, Any]:
    """The launchd user agent docs/using.md gives, parsed as launchd parses a property list."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"<!-- launchd-agent:[^\n]*-->\n```xml\n(.*?)```", text, re.DOTALL)
    assert found, "docs/using.md lost its launchd agent (after the `<!-- launchd-agent: ... -->` marker)"
    agent: dict[str, Any] = plistlib.loads(found.group(1).encode("utf-8"))
    return agent


def test_the_readme_launchd_agent_runs_the_collector_and_a_sigterm_stops_it_cleanly(
        tmp_path: Path, user_home: Path) -> None:
    """launchd itself has not run it (no Mac here): its ProgramArguments, with /Users/YOU this user's home,
    run as launchd runs them, and `launchctl bootout`'s SIGTERM ends it cleanly (KeepAlive restarts only a
    failed collector; ExitTimeOut leaves the seal its 120 s)."""
    agent = readme_agent()
    assert agent["Label"] == "dev.codetape.collector"
    assert agent["KeepAlive"] == {"SuccessfulExit": False} and agent["RunAtLoad"] is True
    assert agent["ExitTimeOut"] >= 120
    argv = [arg.replace("/Users/YOU", str(user_home)) for arg in agent["ProgramArguments"]]
    assert argv == [str(user_home / ".local/bin/codetape"), "collector"]
    home = tmp_path / "h"
    with as_a_service(argv, home, user_home) as proc:
        assert status(home)["pid"] == proc.pid
        proc.terminate()
        assert proc.wait(30) == 0
