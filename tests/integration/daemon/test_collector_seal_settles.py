"""A seal waits for the capture sources: a commit made just before `seal` is in that episode."""

from __future__ import annotations

from pathlib import Path

from tests.support.collector_harness import episode_steps, git, opt_in, running
from tests.waiting import wait_for


def test_commit_right_before_seal_lands_in_the_sealed_episode(tmp_path: Path) -> None:
    root = opt_in(tmp_path / "ws", home=tmp_path / "home")
    git(root, "init", "-q", "-b", "main")
    with running(tmp_path / "home") as daemon, daemon.client() as client:
        assert client.hello(root, "test")["recording"]

        def git_watcher_runs() -> bool:
            workspaces = client.request("status")["workspaces"]
            return any("GitWatcher" in w.get("capture", []) for w in workspaces)

        wait_for(git_watcher_runs, what="the git watcher")
        for n in range(5):
            (root / "f.txt").write_text(f"version {n}\n", encoding="utf-8")
            git(root, "add", "f.txt")
            git(root, "commit", "-q", "-m", f"change {n}")
            sha = git(root, "rev-parse", "HEAD")
            sealed = client.request("seal", workspace=str(root))
            assert sealed is not None, f"commit {n} was not recorded before the seal"
            commits = [s["sha"] for s in episode_steps(Path(sealed["path"]))
                       if s["kind"] == "git" and s["op"] == "commit"]
            assert commits == [sha], f"episode {n} holds {commits}, expected {sha}"
