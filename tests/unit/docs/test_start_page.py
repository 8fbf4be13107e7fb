"""README.md is a start page (issue 57): short, opening with the two commands tests and CI rely on, with a
"Start here"; the rest is in docs/, and every page there is in mkdocs.yml's navigation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
TWO_COMMANDS = ["scripts/demo", "scripts/test"]


def nav_pages(entries: Any) -> set[str]:
    """Every page path named anywhere in a MkDocs `nav` (strings, titled pages, sections)."""
    if isinstance(entries, str):
        return {entries}
    if isinstance(entries, list):
        return set().union(*(nav_pages(e) for e in entries)) if entries else set()
    if isinstance(entries, dict):
        return set().union(*(nav_pages(v) for v in entries.values())) if entries else set()
    return set()


def test_the_readme_is_at_most_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move what is not a start page to docs/"


def test_the_readme_opens_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"^```\w*\n(.*?)^```", text, re.M | re.S)
    assert first, "README.md has no code block"
    assert text[:first.start()].strip().startswith("# "), "README.md's first code block comes after its title"
    commands = [line.split("#")[0].strip() for line in first[1].splitlines() if line.strip()]
    assert commands == TWO_COMMANDS


def test_the_readme_has_a_start_here_section_for_a_developer() -> None:
    headings = re.findall(r"^## (.+)$", README.read_text(encoding="utf-8"), re.M)
    assert any(h.startswith("Start here") for h in headings), headings
    section = README.read_text(encoding="utf-8").split("## Start here", 1)[1].split("\n## ", 1)[0]
    for step in ("uv tool install", "codetape init", "codetape hook", "codetape review", "codetape keys init",
                 "codetape config set upload.to", "codetape upload"):
        assert step in section, f"README.md's Start here does not name `{step}`"


def test_the_readme_says_that_agent_hook_install_asks_and_how_not_to_be_asked() -> None:
    """Issue 74: the step read as if the command just wrote; it shows a diff and asks, and refuses (exit 1,
    as collector/cli/commands/agent.py's _confirm raises) with no terminal to ask on."""
    section = README.read_text(encoding="utf-8").split("## Start here", 1)[1].split("\n## ", 1)[0]
    step = next(item for item in re.split(r"\n(?=\d+\. )", section) if "agent hook install" in item)
    assert "asks" in step and "`--yes`" in step and "exits 1" in step, step


def test_every_docs_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = nav_pages(config["nav"])
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if "hooks" not in p.parts}
    assert pages, "docs/ has no pages"
    assert pages <= listed, f"pages missing from mkdocs.yml's nav: {sorted(pages - listed)}"


def _local_links(page: Path) -> list[str]:
    """The relative link targets of a Markdown page (anchors and absolute URLs left out), code spans and
    fenced blocks skipped."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)", text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("/")]


def test_the_readme_links_only_to_files_that_exist() -> None:
    local = _local_links(README)
    assert local, "README.md links to no docs page"
    assert [t for t in local if not (ROOT / t).exists()] == []


@pytest.mark.parametrize("page", sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")))
def test_every_relative_link_under_docs_reaches_a_file(page: str) -> None:
    """On GitHub as on the site: a link resolves against its page's folder and stays inside the
    checkout (the site serves docs/ alone; mkdocs build --strict checks that side)."""
    source = DOCS / page
    broken = [t for t in _local_links(source) if not (source.parent / t).exists()]
    assert broken == [], f"docs/{page} links to files that do not exist: {broken}"
