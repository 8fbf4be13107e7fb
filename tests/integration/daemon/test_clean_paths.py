"""Admission remembers a path's clean form and problem per workspace; what it answers is what the policy
and the path rule answer, also after it forgot what it kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from collector.daemon.intake.admit import CleanPaths
from collector.policy.recording import Policy
from collector.text.paths import path_problem


def test_remembered_answers_equal_the_policy_and_the_path_rule(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    env = {"CODETAPE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "collector", "init", str(ws)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    policy = Policy.load(ws)
    try:
        paths = CleanPaths(limit=3)
        sent = [str(ws.resolve() / "abs.py"), "./dot.py", "a/../b.py", "../out.py", "win\\dows.py", "ok.py",
                "/elsewhere/x.py", ".git/config"]
        for _ in range(2):  # the second round answers from what is kept, and from scratch past the limit
            for path in sent:
                clean = policy.normalize(path)
                assert paths.get(policy, path) == (clean, None if clean is None else path_problem(clean))
        assert paths.get(policy, "./dot.py") == ("dot.py", None)
        assert paths.get(policy, "win\\dows.py")[1] == "it contains a backslash"
        assert paths.get(policy, "../out.py") == (None, None)
        assert len(paths) <= 3
    finally:
        policy.close()
