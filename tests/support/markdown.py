"""Markdown rendered as GitHub renders it (cmark-gfm: tables, autolinks, raw HTML let through), then
read back as what a browser would show: the tags, and the text of each table row's cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options


@dataclass
class Rendered:
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # each table row's cells, as text
    headings: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Rendered()
        self.cell: list[str] | None = None
        self.heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.found.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.found.rows[-1].append("".join(self.cell))
            self.cell = None
        elif tag.startswith("h") and tag[1:].isdigit() and self.heading is not None:
            self.found.headings.append("".join(self.heading))
            self.heading = None

    def handle_data(self, data: str) -> None:
        for part in (self.cell, self.heading):
            if part is not None:
                part.append(data)


def render(markdown: str) -> Rendered:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
