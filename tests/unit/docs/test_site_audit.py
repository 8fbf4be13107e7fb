"""scripts/lib/site_audit.py finds what the built site should never hold (issue 96, item 4): a list that
Python-Markdown collapsed into text, and any resource a page or stylesheet loads from outside the site.
The list cases are rendered by the site's own Markdown setup, so a change of extensions that fixes or breaks
them shows here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import markdown
import pytest

ROOT = Path(__file__).resolve().parents[3]
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "pymdownx.superfences", "pymdownx.highlight"]


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("site_audit", ROOT / "scripts/lib/site_audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["site_audit"] = module
    spec.loader.exec_module(module)
    return module


AUDIT = _audit()


def _site(tmp_path: Path, pages: dict[str, str]) -> list[str]:
    for name, text in pages.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return list(AUDIT.findings(tmp_path))


@pytest.mark.parametrize("source", [
    "Some text.\n- `a`: an item straight after a paragraph\n- `b`: another\n",
    "- a\n  b:\n\n  ```python\n  x = 1\n  ```\n\n  c\n- `d`: after a block indented by 2\n",
    "```\nframe\n```\n- `crc32` is straight after a fence\n",
])
def test_a_list_markdown_collapses_is_found(tmp_path: Path, source: str) -> None:
    found = _site(tmp_path, {"page/index.html": markdown.markdown(source, extensions=EXTENSIONS)})
    assert found and all("a list collapsed" in line for line in found), found


@pytest.mark.parametrize("source", [
    "Some text.\n\n- `a`: an item\n- `b`: another\n",
    "- a\n  b:\n\n    ```python\n    x = 1\n    ```\n\n    c\n\n- `d`: after a block indented by 4\n",
    "```\nframe\n```\n\n- `crc32` after a blank line\n",
])
def test_a_list_markdown_keeps_passes(tmp_path: Path, source: str) -> None:
    assert _site(tmp_path, {"page/index.html": markdown.markdown(source, extensions=EXTENSIONS)}) == []


@pytest.mark.parametrize("html", [
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
    '<link rel="preconnect" href="https://fonts.gstatic.com">',
    '<link rel="shortcut icon" href="//cdn.example/favicon.png">',
    '<script src="https://cdn.example/x.js"></script>',
    '<img srcset="a.png 1x, https://cdn.example/b.png 2x">',
    '<style>@import url("https://fonts.example/x.css");</style>',
    '<div style="background: url(https://tracker.example/p.gif)"></div>',
])
def test_a_load_from_outside_the_site_is_found(tmp_path: Path, html: str) -> None:
    found = _site(tmp_path, {"index.html": f"<html><head>{html}</head><body></body></html>"})
    assert len(found) == 1 and "loads from outside the site" in found[0], found


def test_hyperlinks_may_leave_and_local_loads_pass(tmp_path: Path) -> None:
    page = ('<link rel="stylesheet" href="assets/site.css"><script src="../assets/x.js"></script>'
            '<link rel="canonical" href="https://example.org/docs/"><a href="https://github.com/">out</a>'
            '<img src="pictures/a.svg">')
    assert _site(tmp_path, {"index.html": page, "assets/site.css": "a { background: url(../i.png) }"}) == []


def test_a_stylesheet_that_imports_from_outside_is_found(tmp_path: Path) -> None:
    found = _site(tmp_path, {"assets/site.css": "@import 'https://fonts.example/roboto.css';\n"})
    assert found == ["assets/site.css: loads from outside the site: https://fonts.example/roboto.css"]
