"""`codetape doctor` names the VS Code extension this install ships and the one command that installs it
into VS Code or a fork (issue 96, item 6); collector/editors.py finds the .vsix in the wheel first."""

from __future__ import annotations

from pathlib import Path

from collector.cli.commands.doctor import vscode_extension
from collector.editors import VSIX, vscode_vsix


def test_the_vsix_in_the_wheel_comes_before_the_checkout_s(tmp_path: Path) -> None:
    installed, checkout = tmp_path / "editor_plugins", tmp_path / "editor_extensions"
    assert vscode_vsix((installed, checkout)) is None
    (checkout / VSIX).parent.mkdir(parents=True)
    (checkout / VSIX).write_bytes(b"PK")
    assert vscode_vsix((installed, checkout)) == checkout / VSIX
    (installed / VSIX).parent.mkdir(parents=True)
    (installed / VSIX).write_bytes(b"PK")
    assert vscode_vsix((installed, checkout)) == installed / VSIX


def test_doctor_says_where_the_extension_is_and_how_to_install_it(tmp_path: Path) -> None:
    check = vscode_extension(tmp_path / "codetape.vsix")
    assert check.state == "ok"
    assert f"code --install-extension {tmp_path / 'codetape.vsix'}" in check.line()
    assert "Install from VSIX" in check.line()


def test_doctor_says_how_to_build_one_when_the_install_has_none() -> None:
    check = vscode_extension(None)
    assert check.state == "absent"
    assert "npm run package" in check.line()
