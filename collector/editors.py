"""Where codetape's editor plugins are: inside the installed package (`collector/editor_plugins/`, which
setup.py fills from editor_extensions/ when the wheel is built), else editor_extensions/ of the source
checkout this package runs from (an editable install, scripts/demo). VS Code's extension is a packaged
`codetape.vsix`: in the wheel when it was built beside a packaged extension, else where `npm run package`
writes it in the checkout."""

from __future__ import annotations

from pathlib import Path

INSTALLED = Path(__file__).resolve().parent / "editor_plugins"
CHECKOUT = Path(__file__).resolve().parents[1] / "editor_extensions"
# a file each plugin folder holds, by editor: the folder is what an editor's configuration names
MARKERS = {
    "neovim": "lua/codetape/init.lua",
    "emacs": "codetape.el",
    "vim": "codetape.vim",
    "helix": "languages.toml",
}


def editor_plugin(editor: str, roots: tuple[Path, ...] = (INSTALLED, CHECKOUT)) -> Path | None:
    """The folder holding `editor`'s plugin (a key of MARKERS), the first of `roots` that has it, or None."""
    marker = MARKERS[editor]
    return next((root / editor for root in roots if (root / editor / marker).is_file()), None)


VSIX = Path("vscode") / "codetape.vsix"


def vscode_vsix(roots: tuple[Path, ...] = (INSTALLED, CHECKOUT)) -> Path | None:
    """The packaged VS Code extension, the first of `roots` that holds it, or None."""
    return next((root / VSIX for root in roots if (root / VSIX).is_file()), None)
