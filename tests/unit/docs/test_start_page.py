"""README.md is a start page (issue 57): short, opening with the two commands tests and CI rely on, with a
"Start here"; the rest is in docs/, and every page there is in mkdocs.yml's navigation. The site's home
(docs/index.md, issue 74) starts where a newcomer starts: what codetape is, who the data goes to, the
pictures, and the three first steps; both show the pictures scripts/pictures makes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
HOME = DOCS / "index.md"
TWO_COMMANDS = ["scripts/demo", "scripts/test"]
FIRST_STEPS = {
    "A developer": ("uv tool install", "codetape init", "codetape hook", "codetape agent hook install",
                    "codetape review", "codetape keys init", "codetape config set upload.to",
                    "codetape upload"),
    "An administrator": ("uv build --wheel", "uv tool install", "/etc/codetape/policy.toml",
                         "codetape policy annex", "codetape doctor"),
    "A receiver": ("codetape keys show", "codetape dataset build", "codetape export"),
}


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


def _images(page: Path) -> list[str]:
    return re.findall(r"!\[[^\]]+\]\(([^)\s]+)\)", page.read_text(encoding="utf-8"))


def test_the_home_says_what_codetape_is_and_who_the_data_goes_to_before_anything_else() -> None:
    text = HOME.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[:3] == ["Who the data goes to", "What you will see", "Start here"], headings
    opening = text.split("\n## ", 1)[0]
    assert "records how you actually work" in opening and "episode" in opening
    assert "scripts/demo" not in opening  # the checkout's commands come after the first steps


def test_the_home_holds_the_three_first_steps() -> None:
    section = HOME.read_text(encoding="utf-8").split("\n## Start here\n", 1)[1].split("\n## ", 1)[0]
    readers = dict(re.findall(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", section, re.M | re.S))
    assert list(readers) == list(FIRST_STEPS)
    for reader, steps in FIRST_STEPS.items():
        assert re.match(r"\s*1\. ", readers[reader]), f"{reader}: not numbered steps"
        missing = [step for step in steps if step not in readers[reader]]
        assert missing == [], f"the home's steps for {reader.lower()} do not name {missing}"


def test_the_readme_and_the_home_show_the_pictures_scripts_pictures_makes() -> None:
    from tests.fixtures.make_pictures import TABS

    made = {f"review-{tab}.svg" for tab in TABS.values()}
    made |= {"review-sign.svg", "report.png", "first-day.cast"}
    readme = [Path(image) for image in _images(README)]
    home = [Path(image) for image in _images(HOME)]
    assert {p.name for p in readme} >= {"review-shared.svg", "review-sign.svg"}, readme
    assert {p.name for p in home} >= {"review-shared.svg", "review-sign.svg", "report.png"}, home
    assert [p for p in readme if not (ROOT / p).is_file() or p.name not in made] == []
    assert [p for p in home if not (DOCS / p).is_file() or p.name not in made] == []
    linked = set(re.findall(r"\]\(pictures/([^)]+)\)", HOME.read_text(encoding="utf-8")))
    assert linked == made, f"the home shows or links {sorted(linked)}, scripts/pictures makes {sorted(made)}"


def test_the_readme_and_the_home_quote_the_first_command_s_idle_and_loaded_figures() -> None:
    """bench/first_command.py writes an idle and a loaded section of bench/README.md; the pages that say how
    long `scripts/demo` takes (the contributors' page, which README.md links, and the site's home) give both
    figures, so a newcomer on a busy machine is not promised the idle one."""
    bench = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    figures = {}
    for kind in ("idle", "loaded"):
        section = bench.split(f"<!-- first-command-{kind}:start -->", 1)[1].split("<!-- first-command-", 1)[0]
        found = re.search(r"`scripts/demo` cold takes (\d+) s", section)
        assert found, f"bench/README.md's {kind} section gives no figure"
        figures[kind] = f"{found[1]} s"
    for page in (DOCS / "contributing.md", HOME):
        text = " ".join(page.read_text(encoding="utf-8").split())
        assert f"{figures['idle']} at idle" in text, (page.name, figures)
        assert re.search(rf"{figures['loaded']} at load average \d", text), (page.name, figures)


def test_the_readme_s_first_screen_is_the_user_s_door() -> None:
    """Issue 96: the first 25 lines hold what codetape is, its version and maturity, the licence, the user's
    install (with what the demo needs) and the demo, and a picture; the contributors' page holds the rest."""
    first = "\n".join(README.read_text(encoding="utf-8").splitlines()[:25])
    for needed in ("codetape records how you work", "Version ", "alpha", "Apache-2.0",
                   "uv tool install '.[demo]'", "codetape demo", "![The review's Shared tab"):
        assert needed in first, f"README.md's first 25 lines do not hold {needed!r}"
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert version and f"Version {version[1]}," in first, "README.md's version is not pyproject.toml's"
