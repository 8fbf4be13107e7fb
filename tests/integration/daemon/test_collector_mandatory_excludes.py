"""A sharing policy's mandatory exclusions hold while recording, not only at signing: never written."""

from __future__ import annotations

from pathlib import Path

from collector.home import Home
from collector.protocol.clock import now_ms
from tests.support.collector_harness import decoded_episodes, every_byte_under, opt_in, running, settle

MARKER = "MANDATORY-EXCLUSION-MARKER-7f3a"


def test_organisation_policy_exclusions_never_reach_disk(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "policy.toml").write_text('mandatory_exclude = ["customer_data/**"]\n', encoding="utf-8")
    root = opt_in(tmp_path / "ws", '[policy]\nmandatory_exclude = ["*.private.py"]\n', home=home)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        client.send_steps([
            (now_ms(), {"kind": "open", "path": "customer_data/rows.py", "text": MARKER}),
            (now_ms(), {"kind": "open", "path": "keys.private.py", "text": MARKER}),
            (now_ms(), {"kind": "open", "path": "ok.py", "text": "kept"}),
        ])
        settle(client)
        sealed = client.request("seal", workspace=str(root))
    assert sealed["steps"] == 1
    assert MARKER.encode() not in every_byte_under(home)
    episodes = decoded_episodes(Home(home.resolve()))
    assert MARKER not in episodes and "kept" in episodes


def test_a_broken_policy_file_stops_recording_with_a_clear_reason(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "policy.toml").write_text("mandatory_exclude = 3\n", encoding="utf-8")
    root = opt_in(tmp_path / "ws", home=home)
    with running(home) as daemon, daemon.client() as client:
        reply = client.hello(root, "bridge")
        status = client.request("status")["workspaces"][0]
    assert reply["problem"] == status["problem"] and status["recording"] is False  # nothing is recorded
    assert "cannot record without its sharing policy" in reply["problem"]
    assert f"{home.resolve() / 'policy.toml'}:1: mandatory_exclude: " in reply["problem"]
