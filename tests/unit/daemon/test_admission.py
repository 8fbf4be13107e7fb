"""One policy for a step that came (collector/daemon/intake/admit.py): a map (a JSON client's, a watcher's)
and the struct the socket decoded (a bridge's, collector/protocol/messages.py) are admitted alike, and a map
the schema refuses is dropped wherever a valid one would be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collector.daemon.intake.admit import Arrival, CleanPaths, arrive
from collector.policy.recording import Policy
from schemas.settings import Channel, WorkspaceSettings
from schemas.steps import GapStep, step_from_dict, step_to_dict

ROOT = Path("/ws")
BESIDE = ("patch", "junit")  # what travels beside a step without being one of its fields


def steps(root: Path) -> dict[str, dict[str, Any]]:
    """A map per case, as a client sends it: absolute paths, no `t_ms`."""
    at = str(root)
    return {
        "edit": {"kind": "edit", "source": "bridge", "path": f"{at}/a.py", "version": 2,
                 "changes": [{"text": "x"}]},
        "dotted path": {"kind": "save", "source": "bridge", "path": f"{at}/sub/../a.py", "sha256": "0" * 64},
        "excluded": {"kind": "open", "source": "bridge", "path": f"{at}/private/plan.md", "text": "secret"},
        "outside": {"kind": "open", "source": "bridge", "path": "/elsewhere/a.py", "text": "x"},
        "unrecordable": {"kind": "close", "source": "bridge", "path": f"{at}/bad\\name.py"},  # a backslash
        "rename into excluded": {"kind": "file_change", "source": "watcher", "path": f"{at}/a.py",
                                 "change": "renamed", "new_path": f"{at}/private/a.py"},
        "too large": {"kind": "file_change", "source": "watcher", "path": f"{at}/big.txt",
                      "change": "modified", "text": "é" * 40},
        "own command": {"kind": "command", "source": "shell", "command_line": "codetape status",
                        "cwd": at},
        "command": {"kind": "command", "source": "shell", "command_line": "pytest -q", "cwd": at,
                    "junit": ["reports/*.xml"]},
        "gap state": {"kind": "gap", "source": "bridge", "reason": "collector_unreachable", "detail": "d",
                      "state": [{"path": f"{at}/a.py", "text": "a"},
                                {"path": f"{at}/private/p.md", "text": "p"},
                                {"path": "/elsewhere/b.py", "text": "b"}]},
        "git files": {"kind": "git", "source": "git", "op": "commit", "sha": "a" * 40,
                      "files": [{"path": "a.py", "added": 1, "deleted": 0},
                                {"path": "private/p.md", "added": 1, "deleted": 0}]},
        "agent": {"kind": "agent", "source": "agent", "agent": "claude-code", "hook": "PreToolUse",
                  "event": "tool_call", "tool": "Edit",
                  "targets": [f"{at}/a.py", f"{at}/private/p.md", "/elsewhere/c.py"],
                  "prompt": f"look at {at}/private/p.md",
                  "patch": {f"{at}/a.py": "x", f"{at}/private/p.md": "y"}},
        "channel off": {"kind": "diagnostics", "source": "bridge", "path": f"{at}/a.py", "origin": "ruff",
                        "items": []},
    }


def policy(root: Path) -> Policy:
    channels: list[Channel] = [c for c in WorkspaceSettings().channels if c != "diagnostics"]
    return Policy(root, WorkspaceSettings(exclude=["private/"], max_file_bytes=64, channels=channels))


def as_struct(data: dict[str, Any]) -> Any:
    """The step the socket would decode from the map's bytes, once the client sends it with `t_ms`."""
    return step_from_dict({k: v for k, v in data.items() if k not in BESIDE} | {"t_ms": 0})


def plain(arrival: Arrival | None) -> object:
    return None if arrival is None else (step_to_dict(arrival.step), arrival.junit, arrival.patch)


@pytest.mark.parametrize("case", list(steps(ROOT)))
def test_a_map_and_its_struct_are_admitted_alike(tmp_path: Path, case: str) -> None:
    data = steps(tmp_path)[case]
    rules = policy(tmp_path)
    from_map = plain(arrive(data, "client", rules, CleanPaths()))
    from_struct = plain(arrive(as_struct(data), "client", rules, CleanPaths()))
    if any(key in data for key in BESIDE):  # the struct has no room for them: the rest is alike
        assert isinstance(from_map, tuple) and isinstance(from_struct, tuple)
        assert from_map[0] == from_struct[0]
        return
    assert from_map == from_struct


def test_what_the_policy_makes_of_each(tmp_path: Path) -> None:
    made = {case: arrive(data, "client", policy(tmp_path), CleanPaths())
            for case, data in steps(tmp_path).items()}
    kept: dict[str, Any] = {case: None if arrival is None else step_to_dict(arrival.step)
                            for case, arrival in made.items()}
    assert kept["edit"] == {"kind": "edit", "t_ms": 0, "source": "bridge", "path": "a.py", "version": 2,
                            "changes": [{"text": "x"}]}
    assert kept["dotted path"]["path"] == "a.py"
    for dropped in ("excluded", "outside", "rename into excluded", "own command", "channel off"):
        assert kept[dropped] is None, dropped
    assert kept["unrecordable"]["reason"] == "malformed_input"
    assert "name.py" not in kept["unrecordable"]["detail"]
    assert {k: kept["too large"][k] for k in ("omitted", "size")} == {
        "omitted": "too_large", "size": 80}
    assert "text" not in kept["too large"]
    assert made["command"] is not None and made["command"].junit == ("reports/*.xml",)
    assert [s["path"] for s in kept["gap state"]["state"]] == ["a.py"]
    assert [f["path"] for f in kept["git files"]["files"]] == ["a.py"]
    agent = kept["agent"]
    assert agent is not None and agent["targets"] == ["a.py"] and "private" not in agent["prompt"]
    assert made["agent"] is not None and made["agent"].patch == {"a.py": "x"}


def test_a_refused_map_is_dropped_where_a_valid_one_would_be(tmp_path: Path) -> None:
    """Checked before its policy now (the schema first, then the paths): what the policy drops leaves no
    trace either way; the rest becomes a gap that names the field, never the value."""
    rules = policy(tmp_path)
    bad = {"version": "two"}  # refused by the schema
    for case in ("excluded", "outside", "rename into excluded", "own command", "channel off"):
        assert arrive(steps(tmp_path)[case] | bad, "client", rules, CleanPaths()) is None, case
    arrival = arrive(steps(tmp_path)["edit"] | bad, "client", rules, CleanPaths())
    assert arrival is not None and type(arrival.step) is GapStep
    assert arrival.step.reason == "malformed_input" and "'edit'" in arrival.step.detail
    assert "two" not in arrival.step.detail and str(tmp_path) not in arrival.step.detail
    unrecordable = arrive(steps(tmp_path)["unrecordable"] | bad, "client", rules, CleanPaths())
    assert unrecordable is not None and type(unrecordable.step) is GapStep
    assert "cannot be recorded" in unrecordable.step.detail


def test_a_struct_keeps_no_time_of_its_own(tmp_path: Path) -> None:
    step = step_from_dict(steps(tmp_path)["edit"] | {"t_ms": 1234})
    arrival = arrive(step, "client", policy(tmp_path), CleanPaths())
    assert arrival is not None and arrival.step.t_ms == 0
