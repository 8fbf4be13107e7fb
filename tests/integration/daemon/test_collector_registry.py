"""Opted-in workspaces are watched whenever the collector runs, before any editor connects."""

from __future__ import annotations

import json
from pathlib import Path

from collector.home import Home
from collector.workspace.registry import Registry
from tests.support.collector_harness import codetape, episode_steps, git, running
from tests.waiting import wait_for


def watched(daemon_client: object, root: Path) -> bool:
    workspaces = daemon_client.request("status")["workspaces"]  # type: ignore[attr-defined]
    return any(w["root"] == str(root) and "GitWatcher" in w.get("capture", []) for w in workspaces)


def commit_and_seal(home: Path, root: Path, message: str) -> list[dict[str, object]]:
    (root / "f.txt").write_text(message, encoding="utf-8")
    git(root, "add", "f.txt")
    git(root, "commit", "-q", "-m", message)
    sealed = codetape(home, "seal", "--json", str(root))
    assert sealed.returncode == 0, sealed.stderr
    return [s for s in episode_steps(Path(json.loads(sealed.stdout)["path"])) if s["kind"] == "git"]


def test_a_collector_started_later_watches_workspaces_opted_in_before(tmp_path: Path) -> None:
    home, root = tmp_path / "home", (tmp_path / "ws").resolve()
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    init = codetape(home, "init", str(root))
    assert init.returncode == 0 and "starts when the collector runs" in init.stdout
    assert Registry(Home(home.resolve())).roots() == [root]
    with running(home) as daemon, daemon.client() as client:
        wait_for(lambda: watched(client, root), what="the registered workspace to be watched")
        steps = commit_and_seal(home, root, "first")
    assert [(s["op"], s["message"]) for s in steps] == [("commit", "first\n")]


def test_init_tells_a_running_collector_to_watch_now(tmp_path: Path) -> None:
    home, root = tmp_path / "home", (tmp_path / "ws").resolve()
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    with running(home) as daemon, daemon.client() as client:
        init = codetape(home, "init", str(root))
        assert init.returncode == 0 and "recording now" in init.stdout
        wait_for(lambda: watched(client, root), what="the new workspace to be watched")
        steps = commit_and_seal(home, root, "second")
    assert [(s["op"], s["message"]) for s in steps] == [("commit", "second\n")]


def test_a_workspace_opted_out_since_is_not_watched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    kept, dropped = (tmp_path / "kept").resolve(), (tmp_path / "dropped").resolve()
    for root in (kept, dropped):
        root.mkdir()
        assert codetape(home, "init", str(root)).returncode == 0
    (dropped / ".codetape.toml").unlink()
    registry = Registry(Home(home.resolve()))
    registry.add(kept)  # adding twice keeps one entry
    assert registry.roots() == [kept]
    assert [entry["root"] for entry in json.loads(registry.path.read_text())] == [str(kept), str(dropped)]
    assert registry.path.stat().st_mode & 0o777 == 0o600


def test_a_hello_waits_while_the_registry_cannot_be_read_then_records(tmp_path: Path) -> None:
    """Issue 87: a registry the collector cannot read is never taken for an empty one ("not opted in"): the
    hello waits for it (daemon/registry_wait.py), and the note sent after it is recorded once it can."""
    import threading

    from collector.protocol.clock import now_ms
    from collector.workspace.registry import FILE
    from tests.support.collector_harness import opt_in

    home = tmp_path / "home"
    ws = opt_in(tmp_path / "ws", home=home)
    registry = Home(home.resolve()).root / FILE
    with running(home) as daemon:
        kept = registry.read_text()
        registry.unlink()
        registry.mkdir()  # unreadable (IsADirectoryError), whoever runs the tests
        answers: list[dict[str, object]] = []
        with daemon.client() as client:
            hello = threading.Thread(target=lambda: answers.append(client.hello(ws, "bridge")))
            hello.start()
            wait_for(lambda: "which workspaces are opted in is not known now: waiting" in daemon.log_text(),
                     what="the hello to be held")
            assert not answers
            registry.rmdir()
            registry.write_text(kept)
            hello.join(30)
            assert answers and answers[0]["recording"], answers
            client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "after the wait"})
            assert client.request("status")["workspaces"]
        sealed = codetape(home, "seal", "--json", str(ws))
    notes = [s for s in episode_steps(Path(json.loads(sealed.stdout)["path"])) if s["kind"] == "note"]
    assert [n["text"] for n in notes] == ["after the wait"]
