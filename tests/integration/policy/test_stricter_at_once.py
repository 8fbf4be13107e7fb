"""A setting made stricter during an episode applies at once, and the seal drops what it excludes from the
steps before (issue 36, item 2), through one real collector, the file watcher and the real CLI:

- an exclusion added to `.codetape.toml` while an episode is open: a file written under it afterwards is
  never written to disk in any form, `codetape status` says the stricter settings applied, and the
  sealed episode holds nothing of the file the editor and the watcher recorded under it before;
- a channel removed and a smaller `max_file_bytes`: the seal drops the steps of the channel and turns a
  text above the new cap into a `too_large` placeholder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.protocol.clock import now_ms
from tests.support.collector_harness import (
    Daemon,
    codetape,
    decoded_episodes,
    episode_steps,
    every_byte_under,
    opt_in,
    running,
    send,
    wait_capturing,
    wait_recorded,
)
from tests.waiting import wait_for

BEFORE = "merger-plan-BEFORE-5e1d"  # recorded before the exclusion was added
AFTER = "merger-plan-AFTER-77c2"  # written after: never recorded


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    with running(tmp_path_factory.mktemp("stricter") / "home") as started:
        yield started


def ok(done: Any) -> str:
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def changed(path: str) -> Any:
    return lambda steps: any(s["kind"] == "file_change" and s["path"] == path for s in steps)


def sealed_steps(home: Path, root: Path) -> tuple[list[dict[str, Any]], Path]:
    sealed = json.loads(ok(codetape(home, "seal", "--json", str(root))))
    assert sealed is not None
    return episode_steps(Path(sealed["path"])), Path(sealed["path"])


def tightened(home: Path, root: Path, what: str) -> str:
    """Wait until `codetape status` says the settings made stricter apply (`what` among them)."""
    line = f"  settings made stricter during this episode: {what} applied at once"
    seen = [""]

    def says() -> bool:
        seen[0] = ok(codetape(home, "status"))
        return line in seen[0]

    wait_for(says, what="status to say the stricter settings apply", detail=lambda: seen[0])
    return seen[0]


def test_an_exclusion_added_during_an_episode_applies_at_once(daemon: Daemon, tmp_path: Path) -> None:
    home = daemon.home.root
    root = opt_in(tmp_path / "ws", "", home=home)
    (root / "notes").mkdir()
    with daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        opened = {"kind": "open", "path": "notes/plan.md", "text": f"{BEFORE} in the editor\n"}
        send(client, [opened], now_ms())
        (root / "notes" / "draft.md").write_text(f"{BEFORE} on disk\n", encoding="utf-8")
        wait_recorded(daemon.home, root, changed("notes/draft.md"), "notes/draft.md to be recorded")

        (root / ".codetape.toml").write_text('exclude = ["notes/"]\n', encoding="utf-8")
        status = tightened(home, root, "exclude")
        assert "not applied" not in status  # stricter than what was accepted: nothing is withheld
        send(client, [{"kind": "edit", "path": "notes/plan.md", "version": 2, "changes": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
             "text": AFTER}]}], now_ms())
        (root / "notes" / "later.md").write_text(f"{AFTER} on disk\n", encoding="utf-8")
        (root / "public.txt").write_text("public\n", encoding="utf-8")
        wait_recorded(daemon.home, root, changed("public.txt"), "public.txt to be recorded")
        assert AFTER.encode() not in every_byte_under(home)  # never written, not even to the journal
        steps, episode = sealed_steps(home, root)
    text = repr(steps)
    assert "public.txt" in text
    assert BEFORE not in text and AFTER not in text and "notes/" not in text
    assert BEFORE not in decoded_episodes(daemon.home)
    assert "settings made stricter" not in ok(codetape(home, "status"))  # the episode it was said of ended
    assert episode.exists()


def test_a_channel_removed_and_a_smaller_cap_apply_to_the_whole_episode(daemon: Daemon,
                                                                         tmp_path: Path) -> None:
    home = daemon.home.root
    root = opt_in(tmp_path / "ws", "", home=home)
    big = "x = 1\n" * 1000  # 6,000 bytes
    with daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        wait_capturing(client, root)
        send(client, [{"kind": "command", "argv": ["make", "secret-target"], "cwd": ".", "exit_code": 0}],
             now_ms())
        (root / "big.py").write_text(big, encoding="utf-8")
        wait_recorded(daemon.home, root, changed("big.py"), "big.py to be recorded")

        (root / ".codetape.toml").write_text(
            'channels = ["edits", "diagnostics", "tests", "git", "files"]\nmax_file_bytes = 1000\n',
            encoding="utf-8")
        tightened(home, root, "channels, max_file_bytes")
        send(client, [{"kind": "command", "argv": ["make", "later-target"], "cwd": ".", "exit_code": 0}],
             now_ms())
        (root / "small.py").write_text("y = 2\n", encoding="utf-8")
        wait_recorded(daemon.home, root, changed("small.py"), "small.py to be recorded")
        steps, _ = sealed_steps(home, root)
    assert not [s for s in steps if s["kind"] == "command"]
    changes = {s["path"]: s for s in steps if s["kind"] == "file_change"}
    assert changes["big.py"].get("text") is None
    assert (changes["big.py"]["omitted"], changes["big.py"]["size"]) == ("too_large", len(big))
    assert changes["small.py"]["text"] == "y = 2\n"


def test_a_mandatory_exclusion_added_to_policy_toml_applies_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = opt_in(tmp_path / "ws", "", home=home)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        send(client, [{"kind": "open", "path": "customer_data/rows.py", "text": f"{BEFORE}\n"}], now_ms())
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "customer_data/rows.py"
                                                           for s in steps), "rows.py to be recorded")
        (home / "policy.toml").write_text('mandatory_exclude = ["customer_data/**"]\n', encoding="utf-8")
        tightened(home, root, "mandatory_exclude (policy.toml)")
        send(client, [{"kind": "open", "path": "customer_data/more.py", "text": f"{AFTER}\n"},
                      {"kind": "open", "path": "kept.py", "text": "kept\n"}], now_ms())
        wait_recorded(daemon.home, root, lambda steps: any(s.get("path") == "kept.py" for s in steps),
                      "kept.py to be recorded")
        assert AFTER.encode() not in every_byte_under(home)
        steps, _ = sealed_steps(home, root)
    assert [s["path"] for s in steps if s["kind"] == "open"] == ["kept.py"]
