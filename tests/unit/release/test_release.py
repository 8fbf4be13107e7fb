"""What a release ships, checked in the checkout: one version number for the package and the VS Code
extension, the licence text in both, and the editor plugins found where the build puts them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import collector
from collector.editors import CHECKOUT, MARKERS, editor_plugin

ROOT = Path(__file__).resolve().parents[3]
VSCODE = ROOT / "editor_extensions" / "vscode"


def test_the_package_and_the_extension_have_one_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extension = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    assert project["version"] == collector.__version__ == extension["version"], (
        "pyproject.toml's version, collector.__version__ and editor_extensions/vscode/package.json's version "
        "differ: set all three (and a CHANGELOG.md heading) to the release's")


def test_the_changelogs_name_the_version() -> None:
    for changelog in (ROOT / "CHANGELOG.md", VSCODE / "CHANGELOG.md"):
        assert f"## [{collector.__version__}] - " in changelog.read_text(encoding="utf-8"), changelog


def test_the_extension_carries_the_projects_licence() -> None:
    extension = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert extension["license"] == project["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the whole text, not the first sections
    assert (VSCODE / "LICENSE").read_text(encoding="utf-8") == text
    assert (VSCODE / extension["icon"]).is_file()


def test_a_plugin_is_found_in_the_installed_package_before_the_checkout(tmp_path: Path) -> None:
    installed, checkout = tmp_path / "installed", tmp_path / "checkout"
    for root in (installed, checkout):
        (root / "emacs").mkdir(parents=True)
        (root / "emacs" / "codetape.el").write_text(";; codetape\n", encoding="utf-8")
    assert editor_plugin("emacs", (installed, checkout)) == installed / "emacs"
    (installed / "emacs" / "codetape.el").unlink()
    assert editor_plugin("emacs", (installed, checkout)) == checkout / "emacs"
    assert editor_plugin("neovim", (installed, checkout)) is None


def test_the_checkout_holds_every_plugin_the_build_copies() -> None:
    for editor in MARKERS:
        assert editor_plugin(editor, (CHECKOUT,)) == CHECKOUT / editor, editor
