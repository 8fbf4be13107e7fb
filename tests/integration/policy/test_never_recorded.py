"""What is never recorded, whatever the workspace says, through one real collector and its file watcher
(issue 36, items 3 and 8):

- codetape's own settings file: its exclusion globs can name what they hide, so `.codetape.toml` is not
  in the episode, neither as the editor's buffer, nor as the watcher's change, nor in the snapshot of a
  repository that commits it;
- secret-ish files named in capitals (`.ENV`, `keys/ID_RSA`, `.SSH/config`, `x.PEM`) are as secret as
  their lower-case names: the mandatory patterns match whatever the case. The workspace's own globs
  match as written on a case-sensitive file system, as git's do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.policy.recording import ignores_case
from collector.protocol.clock import now_ms
from tests.support.collector_harness import (
    Daemon,
    codetape,
    decoded_episodes,
    episode_steps,
    git,
    opt_in,
    running,
    send,
    settle,
    wait_capturing,
    wait_recorded,
)

GLOB = "acme-merger-2027"  # an exclusion glob that names what it hides
MARKER = "capital-secret-3b9e"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    with running(tmp_path_factory.mktemp("never") / "home") as started:
        yield started


def ok(done: Any) -> str:
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def sealed_steps(home: Path, root: Path) -> list[dict[str, Any]]:
    sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    assert sealed is not None
    return episode_steps(Path(sealed["path"]))


def changed(path: str) -> Any:
    return lambda steps: any(s["kind"] == "file_change" and s["path"] == path for s in steps)


def test_the_settings_file_is_never_recorded(daemon: Daemon, tmp_path: Path) -> None:
    home = daemon.home.root
    settings = f'snapshot = "tracked"\nexclude = ["{GLOB}/"]\n'
    root = opt_in(tmp_path / "ws", settings, home=home)
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("a = 1\n", encoding="utf-8")
    git(root, "add", ".codetape.toml", "app.py")
    git(root, "commit", "-q", "-m", "the project, and its codetape settings")
    with daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        send(client, [{"kind": "open", "path": ".codetape.toml", "text": settings},
                      {"kind": "open", "path": str(root / ".codetape.toml"), "text": settings},
                      {"kind": "open", "path": "app.py", "text": "a = 1\n"}], now_ms())
        settle(client)  # the episode opened (with its snapshot) before the file is rewritten: read while
        # the rewrite has emptied it, the file asks for no snapshot, and the episode would open without one
        (root / ".codetape.toml").write_text(settings + f"# {GLOB}: the deal's notes\n", encoding="utf-8")
        (root / "b.py").write_text("b = 2\n", encoding="utf-8")
        wait_recorded(daemon.home, root, changed("b.py"), "b.py to be recorded")
        steps = sealed_steps(home, root)
    snapshot = steps[0]
    assert (snapshot["kind"], snapshot["reason"]) == ("gap", "snapshot")
    assert [file["path"] for file in snapshot["state"]] == ["app.py"]
    assert [s["path"] for s in steps if s["kind"] == "open"] == ["app.py"]
    text = repr(steps)
    assert GLOB not in text and ".codetape.toml" not in text and "b.py" in text
    assert GLOB not in decoded_episodes(daemon.home)  # (the registry keeps the content the user accepted)


def test_secret_files_are_secret_whatever_the_case(daemon: Daemon, tmp_path: Path) -> None:
    home = daemon.home.root
    root = opt_in(tmp_path / "ws", 'exclude = ["private/"]\n', home=home)
    assert not ignores_case(root)  # this file system tells `private` from `PRIVATE`, as git does
    secrets = (".ENV", ".Env.local", "keys/ID_RSA", ".SSH/config", "x.PEM", "deploy/Server.Key",
               ".CODETAPE.TOML", "nested/.Codetape.toml")
    with daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        send(client, [{"kind": "open", "path": name, "text": f"{MARKER} {name}\n"} for name in secrets],
             now_ms())
        for name in secrets:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(f"{MARKER} {name}\n", encoding="utf-8")
        (root / "PRIVATE").mkdir()
        (root / "PRIVATE" / "y.txt").write_text("not private here\n", encoding="utf-8")
        (root / "ok.txt").write_text("ok\n", encoding="utf-8")
        wait_recorded(daemon.home, root, lambda steps: changed("ok.txt")(steps) and changed("PRIVATE/y.txt")(
            steps), "ok.txt and PRIVATE/y.txt to be recorded")
        steps = sealed_steps(home, root)
    assert MARKER not in decoded_episodes(daemon.home)
    paths = {s.get("path") for s in steps}
    assert {"ok.txt", "PRIVATE/y.txt"} <= paths and not paths & set(secrets)
