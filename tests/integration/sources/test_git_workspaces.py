"""What codetape reads from a real git repository: a workspace's identity before its first commit, and the
test reports a command wrote in it (as git's ignore rules and the workspace's exclusions leave them)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from collector.policy.recording import Policy
from collector.sources.testruns.junit_reports import written_reports
from collector.workspace.identity import identify


def test_identify_a_plain_directory_and_a_repository_without_commits(tmp_path: Path) -> None:
    plain = identify(tmp_path)
    assert (plain.root_name, plain.git_remote, plain.head_at_start) == (tmp_path.name, None, None)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    remote = ["git", "remote", "add", "upstream", "https://u:p@example.org/x.git"]
    subprocess.run(remote, cwd=tmp_path, check=True)
    empty = identify(tmp_path)
    assert empty.git_remote == "https://example.org/x.git" and empty.head_at_start is None


def test_only_fresh_reports_inside_the_workspace_that_it_does_not_exclude(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "target" / "surefire-reports").mkdir(parents=True)
    (root / "private").mkdir()
    (root / ".codetape.toml").write_text('exclude = ["private/"]\n')
    old = root / "junit.xml"
    old.write_text("<testsuites/>")
    past = time.time() - 60
    os.utime(old, (past, past))
    since = time.time_ns()
    fresh = root / "target" / "surefire-reports" / "TEST-a.xml"
    fresh.write_text("<testsuite/>")
    (root / "private" / "r.xml").write_text("<testsuites/>")
    (tmp_path / "outside.xml").write_text("<testsuites/>")
    policy = Policy.load(root)
    found = written_reports(policy, root, ["make", "--out=private/r.xml", "../outside.xml"], since)
    assert found == [fresh]
