"""The workspace identity in episode headers: a remote never carries credentials."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from collector.workspace.identity import identify, strip_credentials


@pytest.mark.parametrize(("url", "clean"), [
    ("https://alice:ghp_token@github.com/o/r.git", "https://github.com/o/r.git"),
    ("https://oauth2:tok@gitlab.example.org:8443/g/r.git?private_token=x#frag", "https://gitlab.example.org:8443/g/r.git"),
    ("ssh://git@host.example/o/r.git", "ssh://host.example/o/r.git"),
    ("git@github.com:o/r.git", "git@github.com:o/r.git"),
    ("/srv/git/r.git", "/srv/git/r.git"),
    # issue 24: malformed, the password holding `/` or `@`, or the host unparsable
    ("https://u:1234/xyz@github.com/o/r.git", "https://github.com/o/r.git"),
    ("https://u:p@ss@github.com/o/r.git", "https://github.com/o/r.git"),
    ("https://u:tok3n@[bad/o/r.git", "https://[bad/o/r.git"),
])
def test_strip_credentials(url: str, clean: str) -> None:
    assert strip_credentials(url) == clean


def test_identify_a_plain_directory_and_a_repository_without_commits(tmp_path: Path) -> None:
    plain = identify(tmp_path)
    assert (plain.root_name, plain.git_remote, plain.head_at_start) == (tmp_path.name, None, None)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    remote = ["git", "remote", "add", "upstream", "https://u:p@example.org/x.git"]
    subprocess.run(remote, cwd=tmp_path, check=True)
    empty = identify(tmp_path)
    assert empty.git_remote == "https://example.org/x.git" and empty.head_at_start is None
