"""`codetape policy annex` (issue 39, item 5) through the real CLI: the annex written from two different
root-owned managed policies (installed as tests/integration/policy/test_managed_policy.py installs them) and a
real dataset's card says, claim by claim, what each policy sets: a channel one policy leaves out is listed
as never recorded and one it allows as recorded, its exclusions, cap, purposes, licences, retention and
destinations, unlinkable consent's guarantees only when it is required (else that the receiver sees the
key); values are escaped in the HTML and code in the Markdown; every claim has its tests in the last
table; a refused policy writes nothing."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest

from collector.annex.claims import BACKING
from collector.policy.managed_places import managed_path
from tests.integration.policy.test_managed_policy import install, ok, one_error_line
from tests.support.collector_harness import codetape
from tests.support.dataset_helpers import contributor, session, sign, upload

EVIL = "<img src=x onerror=alert(1)>"
STRICT = f"""\
mandatory_exclude = ["docs/private/", "hr/"]
max_file_bytes = 4096
channels = ["edits", "tests", "git"]
allowed_purposes = ["model-training", "{EVIL}"]
allowed_licences = ["CC-BY-4.0"]
allowed_destinations = ["s3://acme-traces/raw"]
retain_until = 2027-06-30
[consent]
mode = "unlinkable"
"""
LOOSE = """\
channels = ["edits", "commands", "files", "diagnostics", "git"]
[consent]
mode = "attributed"
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real dataset of two episodes signed for `training` under CC-BY-4.0 (built before any policy)."""
    base = tmp_path_factory.mktemp("annex-dataset")
    alice = contributor(base, "alice")
    sign(alice, session(alice.home, 71))
    sign(alice, session(alice.home, 72))
    upload(alice, (base / "source").as_uri())
    out = base / "out"
    built = codetape(base / "team", "dataset", "build", str(base / "source"), "-o", str(out), "--quiet")
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    tmp_path.chmod(0o755)
    path = tmp_path / "etc-codetape" / "policy.toml"
    monkeypatch.setenv("CODETAPE_POLICY", str(path))
    return path


def annex(home: Path, out: Path, *extra: str) -> tuple[str, str]:
    written = ok(codetape(home, "policy", "annex", "-o", str(out), *extra)).split()
    assert written == [str(out / "annex.md"), str(out / "annex.html")]
    return (out / "annex.md").read_text(encoding="utf-8"), (out / "annex.html").read_text(encoding="utf-8")


def section(markdown: str, title: str) -> str:
    found = [part for part in markdown.split("\n## ") if part.startswith(title + "\n")]
    assert len(found) == 1, (title, markdown)
    return found[0]


def backed(markdown: str) -> None:
    """Every claim number in the text has a row of the last table naming exactly its kind's tests."""
    table = section(markdown, "Tests behind each statement")
    numbers = re.findall(r"\((C\d+)\)\n|\n(C\d+):\n", markdown)
    named = {a or b for a, b in numbers}
    rows = dict(re.findall(r"^\| (C\d+) \([^)]*\) \| (.*) \|$", table, re.MULTILINE))
    assert named and set(rows) == named
    known = {tuple(tests) for tests in BACKING.values()}
    for tests in rows.values():
        assert tuple(re.findall(r"`([^`]+)`", tests)) in known


def test_each_claim_of_the_annex_follows_the_policy_in_force(policy: Path, tmp_path: Path,
                                                             dataset: Path) -> None:
    home = tmp_path / "home"
    install(policy.parent, STRICT)
    strict, page = annex(home, tmp_path / "strict", "--dataset", str(dataset))
    recorded, never = section(strict, "What is recorded"), section(strict, "What is never recorded")
    for channel in ("edits", "tests", "git"):
        assert f"- Channel `{channel}` (" in recorded and f"Channel `{channel}` (" not in never
    for channel in ("diagnostics", "commands", "files"):
        assert re.search(rf"^- Channel `{channel}` \([^)]*\) is never recorded", never, re.MULTILINE)
        assert f"Channel `{channel}` (" not in recorded
    assert "The organisation's policy excludes `docs/private/` and `hr/` in every workspace" in never
    assert "Above 4,096 bytes" in never and "Files of up to 4,096 bytes" in recorded
    assert "`.env*`" in never and "`id_rsa*`" in never and "`github-token`" in never
    assert f"(SHA-256 `{hashlib.sha256(policy.read_bytes()).hexdigest()}`)" in strict
    sharing = section(strict, "Purposes, licences, retention and destinations")
    assert f"A share may be signed only for `model-training` and `{EVIL}`" in sharing
    assert f"The dataset `{dataset.as_uri()}` holds episodes signed for: `training` (2 episodes)." in sharing
    assert "the policy in force here does not allow (signed under another policy or none): `training`." in (
        sharing)
    assert "a licence (an SPDX expression) that `CC-BY-4.0` permit" in sharing
    assert "sets `2027-06-30` as the latest date a shared episode may be kept" in sharing
    assert "uploaded only to `s3://acme-traces/raw`" in sharing
    holders = section(strict, "Who holds what, and what the receiver cannot learn")
    assert "requires unlinkable consent" in holders and "It cannot learn which member signed" in holders
    assert "the receiver sees the key" not in strict
    assert "holds 2 episodes from 1 signing key, recorded" in holders
    backed(strict)
    assert EVIL not in page and html.escape(EVIL, quote=False) in page
    assert f"<code>{html.escape(EVIL, quote=False)}</code>" in page
    assert "<li>Channel <code>commands</code> (" in page

    install(policy.parent, LOOSE)
    home.mkdir(mode=0o700, exist_ok=True)
    (home / "config.toml").write_text('[consent]\nmode = "unlinkable"\n', encoding="utf-8")
    loose, page = annex(home, tmp_path / "loose")
    recorded, never = section(loose, "What is recorded"), section(loose, "What is never recorded")
    for channel in ("edits", "commands", "files", "diagnostics", "git"):
        assert f"- Channel `{channel}` (" in recorded and f"Channel `{channel}` (" not in never
    assert "- Channel `tests` (" in never and "Channel `tests` (" not in recorded
    assert "The organisation's policy excludes" not in never
    assert "Above 2,097,152 bytes" in never
    assert "(codetape's default; the organisation's policy sets no cap" in recorded
    sharing = section(loose, "Purposes, licences, retention and destinations")
    assert "The organisation's policy does not restrict the purpose" in sharing
    assert "does not restrict the licence" in sharing and "sets no retention limit" in sharing
    assert "does not restrict where signed episodes are uploaded" in sharing
    assert "The dataset" not in loose
    holders = section(loose, "Who holds what, and what the receiver cannot learn")
    assert "does not require unlinkable consent" in holders and "the receiver sees the key" in holders
    assert "This machine's user signs unlinkable by their own choice" in holders
    assert "cannot learn which member" not in loose
    backed(loose)
    assert "<li>Channel <code>tests</code> (" in page and "is never recorded" in page


def test_without_a_policy_the_annex_says_so_and_a_refused_one_writes_nothing(
        policy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.delenv("CODETAPE_POLICY")  # none in the system's location, none added
    text, _page = annex(home, tmp_path / "none")
    assert f"no managed policy (none is installed at `{managed_path()}`" in text
    assert "No managed policy is installed; it removes no channel" in text
    assert "This machine's user" not in text
    install(policy.parent, STRICT)
    monkeypatch.setenv("CODETAPE_POLICY", str(policy))
    policy.chmod(0o666)
    one_error_line(codetape(home, "policy", "annex", "-o", str(tmp_path / "refused")),
                   "is writable by group or others (mode 666)")
    assert not (tmp_path / "refused").exists()


SCOPED = f"""\
allowed_purposes = ["model-training"]
[[scope]]
name = "client A"
remotes = ["git.client-a.example/*"]
mandatory_exclude = ["secrets/"]
channels = ["edits", "git"]
[scope.consent]
mode = "unlinkable"
[[scope]]
name = "{EVIL}"
remotes = ["github.com/client-b/*"]
max_file_bytes = 1000
[scope.consent]
mode = "attributed"
[[scope]]
remotes = ["git.client-c.example/app"]
"""


def test_one_annex_is_written_for_each_scope(policy: Path, tmp_path: Path) -> None:
    """Issue 106, item 3: each scope's repositories get an annex of their own (the top-level keys and the
    scope's, the stricter of each), for the works council of the organisation it speaks for."""
    install(policy.parent, SCOPED)
    out = tmp_path / "annex"
    written = ok(codetape(tmp_path / "home", "policy", "annex", "-o", str(out))).split()
    scopes = out / "scopes" / "policy"
    folders = [scopes / "client-A", scopes / "img-src-x-onerror-alert-1", scopes / "scope-3"]
    assert written == [str(out / "annex.md"), str(out / "annex.html"),
                       *(str(folder / name) for folder in folders for name in ("annex.md", "annex.html"))]
    top = (out / "annex.md").read_text(encoding="utf-8")
    a, b, c = ((folder / "annex.md").read_text(encoding="utf-8") for folder in folders)
    digest = hashlib.sha256(policy.read_bytes()).hexdigest()
    assert "in the repositories of the scope" not in top and "requires unlinkable consent" not in top
    assert a.startswith("# Annex: what codetape records, and for what in the repositories of the scope "
                        "`'client A'`\n")
    assert "which governs the repositories `git.client-a.example/*`" in a
    assert f"`{policy}, scope 'client A' (sha256 {digest})`" in a
    assert "requires unlinkable consent" in section(a, "Who holds what, and what the receiver cannot learn")
    never = section(a, "What is never recorded")
    assert "The organisation's policy excludes `secrets/`" in never
    assert re.search(r"^- Channel `commands` \([^)]*\) is never recorded", never, re.MULTILINE)
    assert "A share may be signed only for `model-training`" in section(
        a, "Purposes, licences, retention and destinations")  # the top-level keys bind it too
    assert "Above 1,000 bytes" in section(b, "What is never recorded") and "the receiver sees the key" in b
    assert "Above 1,000 bytes" not in a and "`secrets/`" not in b
    page = (folders[1] / "annex.html").read_text(encoding="utf-8")
    assert "<img" not in page and html.escape(EVIL, quote=False) in page  # its name is escaped in HTML
    assert EVIL in b and EVIL not in re.sub(r"`[^`\n]*`", "", b)  # ...and only in code spans in Markdown
    assert "`git.client-c.example/app`" in c and "[[scope]] 3" in c
    for text in (top, a, b, c):
        backed(text)

    conflicting = '[scope.consent]\nmode = "attributed"\n[consent]\nmode = "unlinkable"\n'  # scope 3, the top
    install(policy.parent, SCOPED + conflicting)
    refused = codetape(tmp_path / "home", "policy", "annex", "-o", str(tmp_path / "refused"))
    assert refused.returncode != 0 and not (tmp_path / "refused").exists()
