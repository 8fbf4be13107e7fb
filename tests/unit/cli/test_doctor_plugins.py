"""`codetape doctor` words the editor plugins this install ships as shipped, not as set up, with the line
that sets one up: beside "no editor plugin ... found" it never says `ok` of them (issue 97, item 4)."""

from __future__ import annotations

from pathlib import Path

from collector.cli.commands.doctor import diagnose
from collector.editors import editor_plugin


def test_shipped_plugins_are_not_ok_beside_no_plugin_set_up(tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    env = {"HOME": str(user), "CODEX_HOME": str(user / ".codex"), "CODETAPE_HOME": str(tmp_path / "ct"),
           "PATH": "/usr/bin:/bin"}
    checks = {check.name: check for check in diagnose(env)}
    assert checks["recording"].state == "problem"
    shipped = checks["plugins shipped"]
    assert shipped.state == "absent" and "editor plugins" not in checks
    neovim = editor_plugin("neovim")
    assert neovim is not None
    named = ", ".join(f"{editor} {editor_plugin(editor)}" for editor in ("neovim", "vim", "emacs", "helix"))
    assert shipped.line() == (
        f"--      plugins shipped: {named}; to set one up, Neovim's init.lua: "
        f"vim.opt.runtimepath:append('{neovim}') require('codetape').setup(); the others: docs/install.md")
