"""The workspace identity in episode headers: a remote never carries credentials."""

from __future__ import annotations

import pytest

from collector.workspace.identity import strip_credentials


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
