"""The stated list of compiled and cache files (issue 97, item 5): what makes a path build noise, and the
docs naming every entry of it."""

from __future__ import annotations

from pathlib import Path

from collector.policy.build_noise import FOLDERS, SUFFIXES, noise_prefix

DOC = Path(__file__).resolve().parents[3] / "docs" / "never-recorded.md"


def test_the_first_noise_folder_or_the_compiled_file_is_the_prefix() -> None:
    assert noise_prefix("web/node_modules/a/node_modules/b.js") == "web/node_modules"
    assert noise_prefix("src/__pycache__") == "src/__pycache__"
    assert noise_prefix("src/calc.pyc") == "src/calc.pyc"
    assert noise_prefix("build/Main.class") == "build/Main.class"
    for content in ("calc.py", "node_modules.md", "src/pycache/a.py", "a.pyc.txt", "demo"):
        assert noise_prefix(content) is None, content


def test_the_docs_state_the_list() -> None:
    text = DOC.read_text(encoding="utf-8")
    for folder in FOLDERS:
        assert f"`{folder}/`" in text, folder
    for suffix in SUFFIXES:
        assert f"`*{suffix}`" in text, suffix
