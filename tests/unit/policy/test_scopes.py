"""Managed policies scoped to the repositories they govern (issue 95, item 1): `[[scope]]` sections naming
repositories by remote, whatever form the remote's URL takes (policy/remotes.py), files in policy.d beside
policy.toml, the stricter of each key where several govern one repository, and nothing a user does
loosening a scope. The system's policy.toml is moved into the test's folder (`managed_path`), as
test_managed.py plays Windows' folder; the tests run as root, so the files they write are root's."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.errors import PolicyError
from collector.policy import managed, managed_places, managed_status
from collector.policy.managed import load_managed, share_problem
from collector.policy.remotes import pattern_key, remote_key, scope_matches
from tests.examples import examples

CLIENT_A = """\
[[scope]]
name = "client A"
remotes = ["git.client-a.example/*"]
mandatory_exclude = ["secrets/"]
allowed_destinations = ["s3://client-a-traces"]
[scope.consent]
mode = "unlinkable"
"""
CLIENT_B = """\
[[scope]]
name = "client B"
remotes = ["github.com/client-b/*"]
max_file_bytes = 1000
allowed_destinations = ["s3://client-b-traces/raw"]
[scope.consent]
mode = "attributed"
"""


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's policy folder, moved here: policy.toml and policy.d/ beside it (neither there yet)."""
    folder = tmp_path / "etc" / "codetape"
    folder.mkdir(parents=True, mode=0o755)
    monkeypatch.setattr(managed_places, "managed_path", lambda env=None: folder / "policy.toml")
    return folder


def drop_in(system: Path, name: str, text: str) -> Path:
    folder = system / "policy.d"
    folder.mkdir(mode=0o755, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


# -- how a remote is spelt ---------------------------------------------------------------------------------

HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,8}){1,2}", fullmatch=True)
SEGMENT = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}", fullmatch=True).filter(
    lambda name: not name.endswith(".git") and not name.endswith("."))


def swapped(text: str, flips: list[bool]) -> str:
    """`text` with some letters' case swapped (as `flips` says, cycling)."""
    return "".join(char.swapcase() if flips and flips[at % len(flips)] else char
                   for at, char in enumerate(text))


def escaped(text: str, flips: list[bool]) -> str:
    """`text` with some characters but `/` percent-escaped (as `flips` says, cycling), in either case of
    hex."""
    def spelt(at: int, char: str) -> str:
        if char == "/" or not flips or not flips[at % len(flips)]:
            return char
        return f"%{ord(char):02x}" if at % 2 else f"%{ord(char):02X}"

    return "".join(spelt(at, char) for at, char in enumerate(text))


@st.composite
def detours(draw: st.DrawFn, segments: list[str]) -> str:
    """`segments` joined by `/` as a server resolves them, spelt otherwise: a `/` doubled, a `./`, a `SEG/../`
    detour (or none) before each segment."""
    return "/".join(draw(st.sampled_from(["", "/", "./", "x/../", "a.b/./../"])) + segment
                    for segment in segments)


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(host, owner, repository, one way of writing its remote): https, ssh://, scp-like with or without a
    user, with or without a port, `.git` and a trailing `/`, the host in any case; the path with doubled
    slashes, `.` and `..` detours, and in a URL some characters of the host and path percent-escaped."""
    host, owner, name = draw(HOSTS), draw(SEGMENT), draw(SEGMENT)
    shown = swapped(host, draw(st.lists(st.booleans(), max_size=5)))
    spelt = draw(detours([owner, name])) if draw(st.booleans()) else f"{owner}/{name}"
    path = spelt + draw(st.sampled_from(["", ".git"]))
    url_path = escaped(path, draw(st.lists(st.booleans(), max_size=4)))
    url_host = escaped(shown, draw(st.lists(st.booleans(), max_size=4)))
    slash = draw(st.sampled_from(["", "/"]))
    user = draw(st.sampled_from(["", "git@", "alice@"]))
    port = draw(st.sampled_from(["", ":22", ":2222"]))
    form = draw(st.sampled_from([
        f"https://{user}{url_host}{port.replace('22', '443')}/{url_path}{slash}",
        f"http://{url_host}/{url_path}{slash}",
        f"ssh://{user}{url_host}{port}/{url_path}{slash}",
        f"git://{shown}/{url_path}",
        f"{user or 'git@'}{shown}:{path}",
        f"{shown}:{path}",  # git's scp-like form without a user
        f"  {user}{shown}:{path}\n",
    ]))
    return host, owner, name, form


@settings(max_examples=examples(500))
@given(spellings())
def test_every_spelling_of_a_remote_names_the_same_repository(spelt: tuple[str, str, str, str]) -> None:
    host, owner, name, form = spelt
    assert remote_key(form) == f"{host}/{owner}/{name}"
    assert scope_matches([f"{host}/{owner}/{name}"], [form])  # the repository itself
    assert scope_matches([f"{host.upper()}/{owner}/*"], [form])  # owner-wide, the host in any case
    assert scope_matches([f"{host}/*"], [form])  # host-wide
    assert scope_matches([f"git@{host}:{owner}/{name}.git", f"https://{host}/{owner}/*"], [form])
    assert not scope_matches([f"other-{host}/*", f"{host}.evil/*", f"{host}/{owner}-x/*"], [form])
    assert not scope_matches([f"{host}/{owner}/{name}/sub"], [form])  # below it, not it


@settings(max_examples=examples(300))
@given(spellings(), st.lists(st.booleans(), min_size=1, max_size=5))
def test_paths_match_with_case_unless_the_scope_says_otherwise(spelt: tuple[str, str, str, str],
                                                               flips: list[bool]) -> None:
    host, owner, name, form = spelt
    other = swapped(f"{owner}/{name}", flips)
    if other == f"{owner}/{name}":
        return
    assert not scope_matches([f"{host}/{other}"], [form])
    assert scope_matches([f"{host}/{other}"], [form], ignore_path_case=True)
    owner_other = swapped(owner, flips)
    if owner_other != owner:
        assert not scope_matches([f"{host}/{owner_other}/*"], [form])
        assert scope_matches([f"{host}/{owner_other}/*"], [form], ignore_path_case=True)


def test_patterns_and_remotes_that_name_no_host() -> None:
    assert pattern_key("github.com/acme/*") == ("github.com", "acme", True)
    assert pattern_key("GIT.acme.example/*") == ("git.acme.example", "", True)
    assert pattern_key("git@git.acme.example:platform/app.git") == ("git.acme.example", "platform/app",
                                                                     False)
    assert pattern_key("https://git.acme.example/app/") == ("git.acme.example", "app", False)
    for local in ("/srv/git/app.git", "file:///srv/git/app", "../app", "C:/src/app", "", "   "):
        assert not scope_matches(["git.acme.example/*", "srv/*"], [local]), local
    assert remote_key("C:/src/app") == "/C:/src/app"  # a Windows drive, not a host
    # a subgroup is below its owner; another owner sharing the prefix is not
    assert scope_matches(["gitlab.com/acme/*"], ["git@gitlab.com:acme/platform/app.git"])
    assert not scope_matches(["gitlab.com/acme/*"], ["https://gitlab.com/acme-labs/app"])
    # by the repository the path resolves to, not by its spelling: out of a scope by `..`, into one by it
    assert not scope_matches(["github.com/acme/*"], ["https://github.com/acme/../alice/app"])
    assert scope_matches(["github.com/acme/*"], ["https://github.com/alice/../acme/app"])
    # never above the root; only an unreserved character's escape decoded
    assert remote_key("https://github.com/../../acme/a%2fb%41") == "github.com/acme/a%2FbA"
    assert remote_key("git@github.com:acme/%61pp") == "github.com/acme/%61pp"  # no escapes in git's scp form
    assert remote_key("https://git%2Eacme%2eexample/app") == "git.acme.example/app"


@pytest.mark.parametrize("pattern", [
    "github.com/*/app", "https://github.com/", "github.com", "github.com/", "*/acme/app",
    "https://alice:token@github.com/acme/*", "github.com/acme/app?x=1", "github.com/acme/a*"])
def test_a_scope_remote_naming_no_repository_is_refused(system: Path, pattern: str) -> None:
    (system / "policy.toml").write_text(f'[[scope]]\nremotes = ["{pattern}"]\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.toml:2: scope\.0\.remotes: scope remote .* names no "
                                          r"repository"):
        load_managed({})


# -- which policy governs a repository ---------------------------------------------------------------------

def test_each_repository_is_governed_by_its_own_scope_and_a_personal_one_by_none(system: Path) -> None:
    a, b = drop_in(system, "client-a.toml", CLIENT_A), drop_in(system, "client-b.toml", CLIENT_B)
    assert load_managed({}) is None  # no top-level keys: nothing binds every workspace
    assert load_managed({}, remotes=["git@github.com:alice/dotfiles.git"]) is None  # her own

    for_a = load_managed({}, remotes=["git@git.client-a.example:platform/app.git"])
    assert for_a is not None and for_a.sha256 is None
    assert [(ref.path, ref.name) for ref in for_a.scopes] == [(a, "'client A'")]
    assert for_a.scope_sha256 == for_a.scopes[0].sha256
    assert for_a.where == f"{a}, scope 'client A'"
    assert for_a.policy.consent.mode == "unlinkable" and for_a.policy.mandatory_exclude == ["secrets/"]
    assert for_a.policy.allowed_destinations == ["s3://client-a-traces"]
    assert for_a.policy.max_file_bytes is None
    assert "requires unlinkable consent" in (share_problem(for_a, None) or "")

    for_b = load_managed({}, remotes=["https://GitHub.com/client-b/site"])
    assert for_b is not None and [ref.path for ref in for_b.scopes] == [b]
    assert (for_b.policy.consent.mode, for_b.policy.max_file_bytes) == ("attributed", 1000)
    assert for_b.policy.mandatory_exclude == [] and for_b.scope_sha256 != for_a.scope_sha256
    assert share_problem(for_b, None) is None


def test_a_repository_two_scopes_govern_gets_the_stricter_of_each_key_and_no_two_modes(system: Path) -> None:
    drop_in(system, "client-a.toml", CLIENT_A)
    drop_in(system, "client-b.toml", CLIENT_B.replace('"attributed"', '"unlinkable"').replace(
        '"github.com/client-b/*"', '"github.com/client-b/*", "git.client-a.example/shared/*"'))
    both = load_managed({}, remotes=["git@git.client-a.example:shared/tools.git"])
    assert both is not None and len(both.scopes) == 2 and " and " in both.where
    assert both.policy.mandatory_exclude == ["secrets/"] and both.policy.max_file_bytes == 1000
    assert both.policy.allowed_destinations == []  # no bucket both allow: none allowed
    assert both.scope_sha256 not in {ref.sha256 for ref in both.scopes}  # of both files' digests

    drop_in(system, "client-b.toml", CLIENT_B.replace(
        '"github.com/client-b/*"', '"github.com/client-b/*", "git.client-a.example/shared/*"'))
    with pytest.raises(PolicyError, match=r"require different consent modes \(attributed and unlinkable\)"):
        load_managed({}, remotes=["git@git.client-a.example:shared/tools.git"])
    assert load_managed({}, remotes=["git@git.client-a.example:platform/app"]) is not None  # only there


def test_the_top_level_keys_bind_every_workspace_beside_a_scope(system: Path) -> None:
    (system / "policy.toml").write_text(
        'mandatory_exclude = ["hr/"]\nmax_file_bytes = 500\nallowed_purposes = ["training"]\n' + CLIENT_A,
        encoding="utf-8")
    personal = load_managed({}, remotes=["git@github.com:alice/dotfiles.git"])
    assert personal is not None and personal.scopes == () and personal.policy.consent.mode is None
    assert personal.where == str(system / "policy.toml")
    scoped = load_managed({}, remotes=["https://git.client-a.example/x/y"])
    assert scoped is not None and scoped.sha256 == personal.sha256 and scoped.scopes
    assert scoped.policy.mandatory_exclude == ["hr/", "secrets/"] and scoped.policy.max_file_bytes == 500
    assert scoped.policy.allowed_purposes == ["training"] and scoped.policy.consent.mode == "unlinkable"
    assert scoped.where == f"{system / 'policy.toml'} and {system / 'policy.toml'}, scope 'client A'"
    assert scoped.to_json()["scopes"] == [{"file": str(system / "policy.toml"), "scope": "'client A'",
                                           "sha256": personal.sha256}]
    assert "scope" not in scoped.to_json()["settings"]


def test_a_file_in_policy_d_binds_only_the_repositories_its_scopes_name(system: Path) -> None:
    drop_in(system, "client-a.toml", 'max_file_bytes = 10\n' + CLIENT_A)
    with pytest.raises(PolicyError, match=r"client-a\.toml: max_file_bytes: a file in policy\.d binds only "
                                          r"the repositories its \[\[scope\]\] sections name"):
        load_managed({})


@pytest.mark.parametrize(("spoil", "says"), [
    (lambda path: path.chmod(0o666), "client-a.toml is writable by group or others (mode 666)"),
    (lambda path: os.chown(path, 65534, 65534), "client-a.toml is owned by uid 65534, not root"),
    (lambda path: path.parent.chmod(0o777), "client-a.toml is in a folder writable by group or others"),
])
def test_a_file_of_policy_d_someone_but_root_could_write_is_refused(system: Path, spoil: object,
                                                                     says: str) -> None:
    path = drop_in(system, "client-a.toml", CLIENT_A)
    assert callable(spoil)
    spoil(path)
    for remotes in (None, ["git@github.com:alice/dotfiles.git"]):  # refused for every workspace
        with pytest.raises(PolicyError, match=re.escape(says)):
            load_managed({}, remotes=remotes)


def test_files_beside_the_policy_files_in_policy_d_are_not_read(system: Path) -> None:
    drop_in(system, "client-a.toml", CLIENT_A)
    drop_in(system, "client-a.toml.dpkg-old", "not toml at all [[[")
    drop_in(system, ".client-b.toml.swp", "neither")
    assert [path.name for path in managed_places.dropped_paths({})] == ["client-a.toml"]
    assert load_managed({}, remotes=["git@git.client-a.example:a/b"]) is not None


def test_the_stamp_changes_when_a_file_of_policy_d_does(system: Path) -> None:
    before = managed.stamp({})
    path = drop_in(system, "client-a.toml", CLIENT_A)
    added = managed.stamp({})
    assert added != before
    path.write_text(CLIENT_A + "max_file_bytes = 5\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert managed.stamp({}) != added


def test_the_statement_and_status_name_only_the_files_governing(system: Path) -> None:
    """Issue 95, item 3: a statement records the digest of the file whose scope governed (and the top-level
    file's), never another installed file's; status lists each file's scopes."""
    from collector.policy.sharing import merge

    a, _b = drop_in(system, "client-a.toml", CLIENT_A), drop_in(system, "client-b.toml", CLIENT_B)
    for_a = load_managed({}, remotes=["git@git.client-a.example:x/y"])
    assert for_a is not None
    terms = merge(None, None, None, for_a).terms()
    assert (terms.managed_policy_sha256, terms.managed_scope_sha256) == (None, for_a.scopes[0].sha256)
    assert for_a.governing() == [f"{a}, scope 'client A' (sha256 {for_a.scopes[0].sha256})"]
    assert merge(None, None, None, load_managed({}, remotes=["git@github.com:me/x"])).terms() == \
        merge(None, None, None, None).terms()  # her own: nothing of either client's file

    status = managed_status.managed_status({})
    assert status["state"] == "in force" and [file["file"] for file in status["scoped"]] == [
        str(a), str(system / "policy.d" / "client-b.toml")]
    lines = managed_status.status_lines(status)
    assert lines[0] == (f"managed policy scopes: {a} (sha256 {for_a.scopes[0].sha256[:16]}...): 'client A' "
                        "(git.client-a.example/*)")
    assert len(lines) == 2


def test_status_says_none_without_reading_when_nothing_is_installed_as_reading_does(
        system: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """managed_status.py's answer for no policy (no file read, managed.py not asked) is what managed.py's
    reading says, with policy.d absent, empty, or holding only what is not a policy file; a file there,
    an unreadable system's file or CODETAPE_POLICY set are read."""
    asked: list[object] = []
    monkeypatch.setattr(managed, "read_status", lambda env, found: asked.append(env) or {"read": True})

    def both(env: dict[str, str]) -> tuple[dict[str, object], dict[str, object]]:
        status = managed_status.managed_status(env)
        monkeypatch.undo()
        found = {key: value for key, value in status.items() if key != "scoped"}
        read = managed.read_status(env, found)
        monkeypatch.setattr(managed_places, "managed_path", lambda env=None: system / "policy.toml")
        monkeypatch.setattr(managed, "read_status", lambda env, found: asked.append(env) or {"read": True})
        return status, read

    for step in ("absent", "empty", "not a policy file"):
        if step == "empty":
            (system / "policy.d").mkdir(mode=0o755)
        if step == "not a policy file":
            (system / "policy.d" / "README").write_text("hello\n", encoding="utf-8")
        status, read = both({})
        assert status == read and status["state"] == "none" and asked == [], step
    drop_in(system, "client-a.toml", CLIENT_A)
    assert managed_status.managed_status({}) == {"read": True} and asked == [{}]
    (system / "policy.d" / "client-a.toml").unlink()
    assert managed_status.managed_status({"CODETAPE_POLICY": "/x"}) == {"read": True}
    (system / "policy.toml").mkdir()  # there, but not a file to read: reading it says why
    assert managed_status.managed_status({}) == {"read": True} and len(asked) == 3
