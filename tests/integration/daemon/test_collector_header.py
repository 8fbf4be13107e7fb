"""The episode header names the editor and its position encoding, even when another source (a
watcher, the pytest plugin) opened the episode before any editor connected."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.protocol.clock import now_ms
from tests.support.collector_harness import codetape, opt_in, running, settle

NOTE = {"kind": "note", "text": "before any editor"}
EDIT = {"kind": "edit", "path": "a.py", "changes": [{"text": "x"}]}
OPEN = {"kind": "open", "path": "a.py", "text": ""}


def sealed_header_and_kinds(client: object, root: Path) -> tuple[object, list[str]]:
    sealed = client.request("seal", workspace=str(root))  # type: ignore[attr-defined]
    episode = open_episode(Path(sealed["path"]))
    return episode.header, [step.kind for step in episode.steps()]


def test_the_first_editor_names_an_episode_another_source_opened(tmp_path: Path) -> None:
    root = opt_in(tmp_path / "ws", home=tmp_path / "home")
    with running(tmp_path / "home") as daemon, daemon.client() as plugin, daemon.client() as bridge:
        assert plugin.hello(root, "pytest")["position_encoding"] == "utf-16"  # offered none: told nothing
        plugin.send_step(now_ms(), NOTE)
        settle(plugin)
        reply = bridge.hello(root, "bridge", client={"name": "Neovim", "version": "0.11.4"},
                             position_encoding="utf-8")
        assert reply["position_encoding"] == "utf-8"
        bridge.send_steps([(now_ms(), OPEN), (now_ms(), EDIT)])
        settle(bridge)
        header, kinds = sealed_header_and_kinds(bridge, root)
    assert header.client is not None and header.client.name == "Neovim"  # type: ignore[attr-defined]
    assert header.position_encoding == "utf-8"  # type: ignore[attr-defined]
    assert kinds == ["note", "open", "edit"]


def test_once_told_the_encoding_never_changes(tmp_path: Path) -> None:
    root = opt_in(tmp_path / "ws", home=tmp_path / "home")
    with running(tmp_path / "home") as daemon, daemon.client() as first, daemon.client() as second:
        assert first.hello(root, "bridge", position_encoding="utf-16")["position_encoding"] == "utf-16"
        first.send_steps([(now_ms(), OPEN), (now_ms(), EDIT)])
        settle(first)
        reply = second.hello(root, "bridge", client={"name": "Neovim"}, position_encoding="utf-8")
        assert reply["position_encoding"] == "utf-16"  # the second editor converts to the session's
        header, kinds = sealed_header_and_kinds(second, root)
        assert header.position_encoding == "utf-16" and kinds == ["open", "edit"]  # type: ignore[attr-defined]
        # the next episode keeps it too, and begins with the document the editor still has open
        first.send_step(now_ms(), EDIT | {"changes": [{"text": "y"}]})
        settle(first)
        header, kinds = sealed_header_and_kinds(first, root)
    assert header.position_encoding == "utf-16" and kinds == ["open", "edit"]  # type: ignore[attr-defined]



def test_every_editor_whose_steps_the_episode_records_is_named(tmp_path: Path) -> None:
    """Neovim and VS Code both edit: the header's `editors` names both, in the order of their first step;
    an editor that says hello and sends nothing is not among them; one editor alone is the `client`, and
    the header then carries no `editors`."""
    root = opt_in(tmp_path / "ws", home=tmp_path / "home")
    neovim, code = {"name": "Neovim", "version": "0.11.4"}, {"name": "Code - OSS", "version": "1.96.2"}
    with running(tmp_path / "home") as daemon, daemon.client() as idle, daemon.client() as first, \
            daemon.client() as second:
        idle.hello(root, "bridge", client={"name": "Helix", "version": "25.01"})
        first.hello(root, "bridge", client=neovim)
        second.hello(root, "bridge", client=code)
        first.send_steps([(now_ms(), OPEN), (now_ms(), EDIT)])
        settle(first)
        second.send_steps([(now_ms(), OPEN | {"path": "b.py"}), (now_ms(), EDIT | {"path": "b.py"})])
        settle(second)
        first.send_step(now_ms(), EDIT | {"changes": [{"text": "y"}]})
        settle(first)
        both, kinds = sealed_header_and_kinds(first, root)
        assert kinds == ["open", "edit", "open", "edit", "edit"]
        second.send_step(now_ms(), EDIT | {"path": "b.py", "changes": [{"text": "z"}]})
        settle(second)
        alone = Path(second.request("seal", workspace=str(root))["path"])
    assert (both.client.name, both.client.version) == ("Neovim", "0.11.4")  # type: ignore[attr-defined]
    assert [(editor.name, editor.version) for editor in both.editors] == [  # type: ignore[attr-defined]
        ("Neovim", "0.11.4"), ("Code - OSS", "1.96.2")]
    header = open_episode(alone).header
    assert header.client is not None and header.client.name == "Code - OSS" and header.editors is None
    inspected = codetape(tmp_path / "home", "inspect", str(alone)).stdout
    assert "client     Code - OSS 1.96.2\n" in inspected
