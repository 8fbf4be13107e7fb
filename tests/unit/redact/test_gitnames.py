"""The git identity masked as the login is (issue 52, item 2): which handles a remote names, and the mask."""

from __future__ import annotations

from collector.redact.gitnames import fork_handles, owner, remote_parts
from collector.redact.localnames import LocalNames
from collector.redact.namemask import NameMask


def test_a_remote_s_user_and_a_fork_s_owner_are_handles_an_organisation_s_owner_is_not() -> None:
    assert fork_handles({"origin": "https://github.com/alice/attrs.git",
                         "upstream": "https://github.com/python-attrs/attrs.git"}) == ["alice"]
    assert fork_handles({"origin": "git@github.com:alice/attrs.git",
                         "upstream": "git@github.com:python-attrs/attrs.git"}) == ["alice"]
    assert fork_handles({"origin": "https://github.com/acme/app.git"}) == []  # most often the organisation's
    assert fork_handles({"origin": "ssh://alice@git.acme.example/srv/app.git"}) == ["alice"]
    assert fork_handles({"origin": "https://alice:secret@github.com/acme/app"}) == ["alice"]
    assert fork_handles({"origin": "git@github.com:acme/app.git"}) == []  # `git@` is everyone's
    assert owner("https://gitlab.acme.example/platform/team/app.git") is None  # a group path, not a person
    assert owner("/srv/git/app.git") is None


def test_the_git_identity_is_masked_as_the_login_is() -> None:
    mask = NameMask(LocalNames.of(logins=["zqx9"]).with_git(["Alice Liddell", "a.liddell@acme.example"]))
    said = "Author: Alice Liddell <a.liddell@acme.example>\nDate:   Thu Nov 26 08:47:47 2026 +0100"
    assert mask.mask(said) == "Author: «user» <«user»>\nDate:   Thu Nov 26 08:47:47 2026 +0100"
    assert mask.mask("Alice Liddellson") == "Alice Liddellson"  # a whole name only


def test_a_remote_s_host_owner_and_repository_in_every_form_git_takes() -> None:
    for url in ("git@github.com:aliddell/attrs.git", "https://github.com/aliddell/attrs",
                "ssh://git@GitHub.com:22/aliddell/attrs.git/", "https://alice:token@github.com/aliddell/attrs.git",
                "github.com:aliddell/attrs"):
        assert remote_parts(url) == ("github.com", "aliddell", "attrs"), url
    assert remote_parts("https://gitlab.com/~aliddell/attrs") == ("gitlab.com", "aliddell", "attrs")
    for deeper_or_local in ("https://gitlab.acme.example/platform/team/app.git", "/srv/git/app.git",
                            "file:///srv/git/app.git", "C:\\src\\app"):
        assert remote_parts(deeper_or_local) is None, deeper_or_local
    assert fork_handles({"origin": "git@github.com:alice/attrs.git",
                         "upstream": "git@github.com:python-attrs/attrs.git"}, owners=False) == []
