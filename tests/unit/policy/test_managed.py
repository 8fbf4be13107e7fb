"""The managed policy's reading and rules (collector/policy/managed.py); the tests run as root, so a file
they write is root's (another owner is made with chown to 65534)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from collector.errors import PolicyError
from collector.policy.managed import Managed, load_managed, share_problem
from schemas.settings import ALL_CHANNELS, WorkspaceSettings

EXAMPLE = """\
mandatory_exclude = ["docs/private/"]
max_file_bytes = 4096
channels = ["edits", "diagnostics", "tests", "git", "files"]
allowed_purposes = ["model-training"]
retain_until = 2027-06-30
[consent]
mode = "unlinkable"
"""


def write(tmp_path: Path, text: str) -> dict[str, str]:
    folder = tmp_path / "etc"
    folder.mkdir(mode=0o755, exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return {"CODETAPE_POLICY": str(path)}


def loaded(tmp_path: Path, text: str = EXAMPLE) -> Managed:
    managed = load_managed(write(tmp_path, text))
    assert managed is not None
    return managed


def test_no_file_is_no_policy_but_a_named_file_missing_or_empty_is_refused(tmp_path: Path) -> None:
    """Issue 53, item 1: CODETAPE_POLICY=/nonexistent lifted the organisation's policy; now it only adds."""
    assert load_managed({}) is None  # no system policy on the machines tests run on
    with pytest.raises(PolicyError, match=r"names .*absent\.toml, which does not exist: it can only add"):
        load_managed({"CODETAPE_POLICY": str(tmp_path / "absent.toml")})
    with pytest.raises(PolicyError, match="which is empty: a policy it adds must say something"):
        load_managed(write(tmp_path, "\n  \n"))


def test_a_looser_workspace_is_bounded_and_a_stricter_one_kept(tmp_path: Path) -> None:
    managed = loaded(tmp_path)
    loose = managed.bound(WorkspaceSettings(max_file_bytes=10**6, channels=list(ALL_CHANNELS)))
    assert loose.max_file_bytes == 4096 and "commands" not in loose.channels
    assert loose.policy.mandatory_exclude == ["docs/private/"]
    strict = managed.bound(WorkspaceSettings(max_file_bytes=100, channels=["edits"], exclude=["x/"]))
    assert (strict.max_file_bytes, strict.channels, strict.exclude) == (100, ["edits"], ["x/"])
    assert managed.policy.retain_until is not None and managed.policy.retain_until.isoformat() == "2027-06-30"


@pytest.mark.parametrize(("text", "says"), [
    ('opt_in = ["/home/me/work"]\n', ":1: opt_in: "),
    ('retain_until = "2027-06-30"\n', ":1: retain_until: "),
    ('[consent]\nmode = "attributed-by-default"\n', ":2: consent.mode: "),
    ("max_file_bytes = -1\n", ":1: max_file_bytes: "),
    ('allowed_destinations = ["https://bucket.example/x"]\n', ":1: allowed_destinations: "),
    ('allowed_destinations = ["s3://user:pw@bucket/x"]\n', ":1: allowed_destinations: "),
    ("allowed_licences = []\n", ":1: allowed_licences: "),
    ('allowed_licences = ["MIT OR Apache-2.0"]\n', "allowed_licences: 'MIT OR Apache-2.0' is not an SPDX"),
    ('allowed_licences = ["Not-A-Licence"]\n', "allowed_licences: 'Not-A-Licence' is not an SPDX"),
])
def test_an_unknown_key_or_a_wrong_value_is_refused(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(PolicyError) as refused:
        load_managed(write(tmp_path, text))
    assert str(refused.value).startswith("managed policy refused: ")
    assert says in str(refused.value) and "nothing is recorded or signed" in str(refused.value)


@pytest.mark.parametrize(("spoil", "says"), [
    (lambda path: path.chmod(0o664), "is writable by group or others (mode 664)"),
    (lambda path: os.chown(path, 65534, 65534), "is owned by uid 65534, not root"),
    (lambda path: path.parent.chmod(0o775), "is in a folder writable by group or others (mode 775)"),
    (lambda path: os.chown(path.parent, 65534, 65534), "is in a folder owned by uid 65534, not root"),
])
def test_a_file_someone_but_root_could_write_is_refused(tmp_path: Path, spoil: object, says: str) -> None:
    env = write(tmp_path, EXAMPLE)
    assert callable(spoil)
    spoil(Path(env["CODETAPE_POLICY"]))
    with pytest.raises(PolicyError) as refused:
        load_managed(env)
    assert str(refused.value).startswith(f"managed policy {env['CODETAPE_POLICY']} {says}; nothing is "
                                         "recorded or signed"), str(refused.value)


def test_a_link_is_judged_by_the_file_it_names(tmp_path: Path) -> None:
    env = write(tmp_path, EXAMPLE)
    target = Path(env["CODETAPE_POLICY"])
    link = tmp_path / "etc" / "link.toml"
    link.symlink_to(target)
    assert load_managed({"CODETAPE_POLICY": str(link)}) is not None
    os.chown(target, 65534, 65534)
    with pytest.raises(PolicyError, match="owned by uid 65534"):
        load_managed({"CODETAPE_POLICY": str(link)})


def test_a_share_must_name_an_allowed_purpose_and_be_unlinkable(tmp_path: Path) -> None:
    managed = loaded(tmp_path)
    assert "names no purpose" in (share_problem(managed, None) or "")
    assert "names the purpose 'ads'" in (share_problem(managed, "ads") or "")
    assert "requires unlinkable consent" in (share_problem(managed, "model-training") or "")
    assert share_problem(managed, "model-training", unlinkable=True) is None
    assert share_problem(None, None) is None


def test_licences_a_share_may_name_and_the_consent_mode_either_way(tmp_path: Path) -> None:
    managed = loaded(tmp_path, 'allowed_licences = ["CC-BY-4.0", '
                     '"GPL-2.0-only WITH Classpath-exception-2.0"]\n[consent]\nmode = "attributed"\n')
    assert "names no licence" in (share_problem(managed, None) or "")
    assert "is offered under 'MIT'" in (share_problem(managed, None, licence="MIT") or "")
    assert share_problem(managed, None, licence="cc-by-4.0 OR MIT") is None
    assert share_problem(managed, None, licence="GPL-2.0-only") is not None
    assert share_problem(managed, None, licence="GPL-2.0-only WITH Classpath-exception-2.0") is None
    assert "requires attributed consent" in (share_problem(managed, None, licence="CC-BY-4.0",
                                                           unlinkable=True) or "")


def test_two_policies_bind_together_the_stricter_of_each() -> None:
    """CODETAPE_POLICY adds a policy to the system's: what both require applies (issue 53, item 1)."""
    from datetime import date

    from collector.policy.managed import stricter_policy
    from schemas.settings import ConsentRequirement, ManagedPolicy

    system = ManagedPolicy(mandatory_exclude=["secret/"], max_file_bytes=1000, channels=["edits", "git"],
                           allowed_purposes=["training", "eval"], retain_until=date(2027, 1, 1),
                           allowed_destinations=["file:///srv/drop"],
                           consent=ConsentRequirement(mode="unlinkable"))
    added = ManagedPolicy(mandatory_exclude=["docs/"], max_file_bytes=5000, channels=["git", "commands"],
                          allowed_purposes=["training"], retain_until=date(2028, 1, 1),
                          allowed_destinations=["file:///srv/drop/team", "s3://other"])
    both = stricter_policy(system, added, where="a and b")
    assert both.mandatory_exclude == ["secret/", "docs/"] and both.max_file_bytes == 1000
    assert both.channels == ["git"] and both.allowed_purposes == ["training"]
    assert both.retain_until == date(2027, 1, 1) and both.consent.mode == "unlinkable"
    assert both.allowed_destinations == ["file:///srv/drop/team"]  # only where both allow
    assert stricter_policy(ManagedPolicy(), added, where="a and b").allowed_purposes == ["training"]
    with pytest.raises(PolicyError, match="require different consent modes"):
        stricter_policy(system, ManagedPolicy(consent=ConsentRequirement(mode="attributed")), where="a and b")


def test_on_windows_the_policy_folder_is_the_systems_not_the_environments(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 70, item 2: `setx ProgramData C:\\Users\\alice\\x` (no administrator) made the policy "none".
    Windows is played in managed.py and managed_places.py alone: their `sys.platform`, and a fake for the
    known-folder call."""
    from collector.policy import managed, managed_places, managed_status

    machine, user = tmp_path / "ProgramData", tmp_path / "alice" / "AppData"
    for folder, text in ((machine, EXAMPLE), (user, "# nothing required\n")):
        (folder / "codetape").mkdir(parents=True)
        (folder / "codetape" / "policy.toml").write_text(text, encoding="utf-8")
    for module in (managed, managed_places):
        monkeypatch.setattr(module, "sys", SimpleNamespace(platform="win32"))
    monkeypatch.setattr(managed_places, "program_data", lambda: machine)
    env = {"ProgramData": str(user)}

    found = load_managed(env)
    assert found is not None and found.path == machine / "codetape" / "policy.toml"
    assert found.policy.consent.mode == "unlinkable"
    status = managed_status.managed_status(env)
    assert (status["state"], status["path"]) == ("in force", str(machine / "codetape" / "policy.toml"))
    assert status["environment"].startswith(f"ProgramData is {user} in this environment, not the system's "
                                             f"{machine}: the managed policy is read from {machine}")
    assert f"  PROBLEM: {status['environment']}" in managed_status.status_lines(status)

    (machine / "codetape" / "policy.toml").unlink()  # no policy: still the machine's folder, still a problem
    status = managed_status.managed_status(env)
    assert status["state"] == "none" and load_managed(env) is None
    assert managed_status.status_lines(status)[1] == f"  PROBLEM: {status['environment']}"
    for same in (str(machine), str(machine).upper() + "\\"):  # the system's own folder, however spelt
        assert managed_status.managed_status({"ProgramData": same})["environment"] is None
    assert managed_status.status_lines(managed_status.managed_status({})) == []
