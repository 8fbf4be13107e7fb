"""How the collector says it was started: the handover from `--detach` and autostarting clients, systemd's
variables and control group, or the parent of a foreground `codetape collector`."""

from __future__ import annotations

from pathlib import Path

from collector.daemon.started import how_started
from collector.protocol.starter import STARTED_BY, handover, starter

CGROUP = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/codetape.service\n"


def proc(tmp_path: Path, parent: int, comm: str, cgroup: str = "0::/\n") -> Path:
    root = tmp_path / "proc"
    (root / str(parent)).mkdir(parents=True)
    (root / str(parent) / "comm").write_text(f"{comm}\n")
    (root / "self").mkdir()
    (root / "self" / "cgroup").write_text(cgroup)
    return root


def test_the_handover_is_taken_out_of_the_environment(tmp_path: Path) -> None:
    env = {STARTED_BY: handover("autostart", by="codetape bridge", pid=42), "PATH": "/bin"}
    started = how_started(env, 100, 1, proc(tmp_path, 1, "init"))
    assert started == {"how": "autostart", "by": "codetape bridge", "pid": 42,
                       "text": "started by `codetape bridge` (pid 42), which found no collector running"}
    assert env == {"PATH": "/bin"}  # what the collector starts does not inherit it
    assert how_started({STARTED_BY: handover("detach")}, 100, 1, tmp_path / "proc")["how"] == "detach"


def test_systemd_by_its_exec_pid_or_its_invocation_with_systemd_as_parent(tmp_path: Path) -> None:
    root = proc(tmp_path, 7, "systemd", CGROUP)
    by_pid = how_started({"SYSTEMD_EXEC_PID": "100"}, 100, 7, root)
    assert by_pid == {"how": "systemd", "unit": "codetape.service",
                      "text": "started by systemd (unit codetape.service)"}
    assert how_started({"INVOCATION_ID": "abc"}, 100, 7, root)["how"] == "systemd"
    # a terminal that a systemd service started passes the variables on to what runs in it: not systemd
    assert how_started({"SYSTEMD_EXEC_PID": "55", "INVOCATION_ID": "abc"}, 100, 8,
                       proc(tmp_path / "t", 8, "bash", CGROUP))["how"] == "foreground"


def test_otherwise_the_foreground_by_its_parent_and_a_bad_handover_is_ignored(tmp_path: Path) -> None:
    root = proc(tmp_path, 31, "zsh")
    started = how_started({STARTED_BY: "{not json"}, 100, 31, root)
    assert started == {"how": "foreground", "parent": "zsh", "parent_pid": 31,
                       "text": "started with `codetape collector` in the foreground (by zsh, pid 31)"}
    assert how_started({STARTED_BY: '{"how": "autostart", "by": 3}'}, 100, 31, root)["how"] == "foreground"


def test_the_starter_is_named_as_people_type_it() -> None:
    assert starter(["/venv/lib/python3.11/site-packages/lsp_bridge/__main__.py", "--no-autostart"]) == \
        "codetape bridge"
    assert starter(["/venv/lib/python3.11/site-packages/collector/__main__.py", "run", "--", "make"]) == \
        "codetape run"
    assert starter(["/home/me/.local/bin/codetape", "--version"]) == "codetape"
    assert starter(["/venv/bin/pytest", "-q"]) == "pytest"
    assert starter([]) == "python"
