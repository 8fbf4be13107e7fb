"""The build: everything is declared in pyproject.toml but one step. The editor plugins live in
editor_extensions/, where editors and the tests load them from a checkout; the wheel carries them as
`collector/editor_plugins/` (collector/editors.py finds them in either place). MANIFEST.in puts them in
the sdist, so a wheel built from the sdist (as `uv build` does) carries them too."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "editor_extensions"
# what each editor loads at run time; VS Code's extension as its packaged .vsix, when one was built
VSIX = Path("vscode") / "codetape.vsix"
PLUGINS = {"neovim": ("lua/**/*.lua",), "emacs": ("*.el",), "vim": ("*.vim",), "helix": ("languages.toml",)}


class BuildWithEditorPlugins(build_py):
    """build_py, then the editor plugins (and VS Code's packaged extension, when there is one) copied under
    collector/editor_plugins/ in the build."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "collector" / "editor_plugins"
        for editor, patterns in PLUGINS.items():
            found = sorted(path for pattern in patterns for path in (SOURCE / editor).glob(pattern))
            if not found:
                raise SystemExit(f"setup.py: no {editor} plugin under {SOURCE / editor} (a partial sdist?)")
            for path in found:
                copy = target / editor / path.relative_to(SOURCE / editor)
                self.mkpath(str(copy.parent))
                self.copy_file(str(path), str(copy))
        if (SOURCE / VSIX).is_file():  # `npm run package` in editor_extensions/vscode (scripts/setup runs it)
            self.mkpath(str((target / VSIX).parent))
            self.copy_file(str(SOURCE / VSIX), str(target / VSIX))


setup(cmdclass={"build_py": BuildWithEditorPlugins})
