"""Tags only this clone holds, as recorded episodes saw them made (collector/consent/local_tags.py, issue
85, item 3): `git tag NAME` in a command or a new tag's git step, unless a fetch brought it; a ledger of
this home's unlinkable signings carries them to the next episode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.consent.local_tags import local_tags, made_by, remember_tags
from collector.episode import open_episode
from collector.home import Home
from tests.unit.review.test_trim import write


def command(t_ms: int, line: str, output: str = "") -> dict[str, Any]:
    return {"kind": "command", "t_ms": t_ms, "source": "shell", "exit_code": 0, "command_line": line,
            "output_tail": output}


def tag(t_ms: int, name: str, op: str = "tag") -> dict[str, Any]:
    return {"kind": "git", "t_ms": t_ms, "source": "git", "op": op, "ref": f"refs/tags/{name}",
            "new": "a" * 40, "detail": "lightweight"}


def test_git_tag_commands_that_make_a_tag() -> None:
    assert made_by("git tag pre-refactor-backup") == ["pre-refactor-backup"]
    assert made_by('git tag -a v2 -m "a b" HEAD~1') == ["v2"]
    assert made_by("cd app && git -C sub tag -f keep; git status") == ["keep"]
    for listing in ("git tag", "git tag -l 'v*'", "git tag -d keep", "git tag -n5", "git tag --list",
                    "git tag -v v1.0", "echo git tag"):
        assert made_by(listing) == [], listing


def test_a_tag_seen_made_is_local_until_a_fetch_brings_one_of_that_name(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    first = open_episode(write(tmp_path / "first.ctape", [
        command(1, "git tag pre-refactor-backup"), tag(2, "pre-refactor-backup"),
        tag(5, "v1.1"), {"kind": "git", "t_ms": 5, "source": "git", "op": "fetch",
                         "ref": "refs/remotes/origin/main", "new": "b" * 40},  # a fetch's new tag
        tag(6, "mine")]))
    assert local_tags(first, (), home) == {"pre-refactor-backup", "mine"}
    remember_tags(first, home)
    later = open_episode(write(tmp_path / "later.ctape", [command(1, "git describe --tags")]))
    repository = ("mine", "pre-refactor-backup", "v1.0", "v1.1")
    assert local_tags(later, repository, home) == {"pre-refactor-backup", "mine"}
    assert local_tags(later, ("v1.0",), home) == set()  # only the names the repository or episode holds
    fetched = open_episode(write(tmp_path / "fetched.ctape", [
        command(1, "git fetch --tags --force", " * [new tag]         mine       -> mine\n")]))
    assert local_tags(fetched, repository, home) == {"pre-refactor-backup"}
    remember_tags(fetched, home)
    assert local_tags(later, repository, home) == {"pre-refactor-backup"}
    assert not (home.enrolment / "unlinkable-tags").read_text().count("mine")  # digests only
