"""The docs pages generated from the code (collector/cli/docs_pages.py) are committed, so that GitHub shows
them as the site does, and each equals what its generator writes from the current code."""

from __future__ import annotations

import pytest

from collector.cli.docs_pages import DOCS, PAGES, REGENERATE


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_committed_page_is_what_its_generator_writes(name: str) -> None:
    path = DOCS / name
    assert path.exists(), f"docs/{name} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == PAGES[name](), f"docs/{name} is stale: {REGENERATE}"


def test_no_page_includes_another_file_github_would_show_as_a_directive() -> None:
    directives = [
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if "--8<--" in p.read_text(encoding="utf-8")
    ]
    assert directives == []
