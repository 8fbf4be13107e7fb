"""The built docs site, checked for what `mkdocs build --strict` cannot see (issue 96, item 4):

- a list that collapsed: Python-Markdown ends a list where GitHub goes on (an item after a paragraph with
  no blank line between, a block in an item indented by 2 spaces), and its items then print as text:
  `- <code>…` at the start of a line, or `<p>- ` in a paragraph;
- a resource loaded from outside the site: a page or stylesheet that makes the reader's browser ask a third
  party for anything (`src=`, stylesheet, preconnect, preload and icon links, CSS `@import` and `url(`).
  Hyperlinks may leave the site; nothing may load from outside it, as nothing of the user's leaves unasked.

Usage: python scripts/lib/site_audit.py SITE_DIR (exit 1 and one line per finding when there are any).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

COLLAPSED = re.compile(r"^- <|<p>- ", re.M)
LOADING_RELS = {"stylesheet", "preconnect", "preload", "modulepreload", "prefetch", "dns-prefetch", "icon",
                "shortcut", "apple-touch-icon", "manifest", "mask-icon"}
CSS_URL = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')\s]+)""")


def outside(url: str) -> bool:
    """Whether loading `url` asks a host other than the site's own (an absolute or scheme-relative URL)."""
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//", "ftp://"))


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("src", "srcset", "poster", "data"):
            urls = [part.split()[0] for part in values.get(name, "").split(",") if part.strip()]
            if any(outside(url) for url in urls):
                self.found.append(f"<{tag} {name}={values[name]!r}>")
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels & LOADING_RELS and outside(values.get("href", "")):
            self.found.append(f"<link rel={values['rel']!r} href={values['href']!r}>")
        if "style" in values:
            self.found += [f"style attribute: {url}" for url in css_loads(values["style"])]
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.found += [f"<style>: {url}" for url in css_loads(data)]


def css_loads(css: str) -> list[str]:
    """The URLs a stylesheet loads from outside the site."""
    return [url for match in CSS_URL.finditer(css) for url in match.groups() if url and outside(url)]


def findings(site: Path) -> Iterator[str]:
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        where = page.relative_to(site)
        for match in COLLAPSED.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield (f"{where}:{line}: a list collapsed into text "
                   "(a blank line before it, or its blocks indented by 4)")
        parser = _Loads()
        parser.feed(text)
        yield from (f"{where}: loads from outside the site: {found}" for found in parser.found)
    for sheet in sorted(site.rglob("*.css")):
        yield from (f"{sheet.relative_to(site)}: loads from outside the site: {url}"
                    for url in css_loads(sheet.read_text(encoding="utf-8", errors="replace")))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        sys.stderr.write("usage: site_audit.py SITE_DIR (a built docs site)\n")
        return 2
    found = list(findings(Path(argv[0])))
    for line in found:
        sys.stderr.write(f"site: {line}\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
