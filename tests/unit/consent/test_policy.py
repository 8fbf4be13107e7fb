"""The sharing policy: `[policy]` in .codetape.toml, CODETAPE_HOME/policy.toml, merging, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.consent import SigningRefused
from collector.consent.sign import require_policy
from collector.errors import PolicyError, SettingsError
from collector.home import Home
from collector.policy.licence import FoundLicence
from collector.policy.recording import load_settings
from collector.policy.sharing import POLICY_FILE, SigningPolicy, load_signing_policy

MIT = ("Permission is hereby granted, free of charge, to any person obtaining a copy of this software "
       "and associated documentation files.\n")
GPL3 = "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"


def workspace(tmp_path: Path, toml: str, licence: str | None = MIT) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text(toml, encoding="utf-8")
    if licence is not None:
        (root / "LICENSE").write_text(licence, encoding="utf-8")
    return root


def test_policy_fields_in_codetape_toml_are_validated(tmp_path: Path) -> None:
    root = workspace(tmp_path, '[policy]\npurpose = "train"\nallowed_licences = ["mit", "GPL-3.0-or-later"]\n'
                                'mandatory_exclude = ["secrets/"]\n')
    policy = load_settings(root).policy
    assert (policy.purpose, policy.allowed_licences, policy.mandatory_exclude) == (
        "train", ["GPL-3.0", "MIT"], ["secrets/"])
    (root / ".codetape.toml").write_text('[policy]\nallowed_licences = ["WTFPL"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"policy\.allowed_licences: .*'WTFPL' is not one codetape"):
        load_settings(root)
    (root / ".codetape.toml").write_text('[policy]\nmandatory_exclude = ["!keep"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="negation"):
        load_settings(root)
    (root / ".codetape.toml").write_text('[policy]\npurpos = "typo"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"policy\.purpos: Object contains unknown field"):
        load_settings(root)


def test_home_policy_wins_for_text_and_both_restrict(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir()
    (home.root / POLICY_FILE).write_text(
        'purpose = "ACME model training"\nallowed_licences = ["MIT", "Apache-2.0"]\n'
        'mandatory_exclude = ["vendor/"]\n', encoding="utf-8")
    root = workspace(tmp_path, '[policy]\npurpose = "ours"\nlicence = "CC-BY-4.0"\n'
                               'allowed_licences = ["MIT", "GPL-3.0"]\nmandatory_exclude = ["data/**"]\n')
    policy = load_signing_policy(home, root)
    assert policy.purpose == "ACME model training" and policy.licence == "CC-BY-4.0"
    assert policy.allowed_licences == ("MIT",)
    assert policy.mandatory_exclude == ("data/**", "vendor/")
    assert policy.licences == (FoundLicence("LICENSE", "MIT"),) and policy.workspace == root
    assert policy.licence_problem() is None
    terms = policy.terms()
    assert (terms.repository_licences, terms.allowed_licences) == (["MIT"], ["MIT"])


def test_no_policy_anywhere_allows_any_licence(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    policy = load_signing_policy(home, None)
    assert policy == SigningPolicy()
    assert policy.licence_problem() is None
    require_policy(policy, ["any/file.py"])
    unopted = tmp_path / "plain"
    unopted.mkdir()
    assert load_signing_policy(home, unopted).licences == ()


def test_disallowed_missing_and_unknown_licences_are_named(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    root = workspace(tmp_path, '[policy]\nallowed_licences = ["MIT", "Apache-2.0"]\n', licence=GPL3)
    with pytest.raises(SigningRefused, match=r"^cannot sign: LICENSE is GPL-3\.0, which the policy does not "
                                             r"allow \(allowed: Apache-2\.0, MIT\)$"):
        require_policy(load_signing_policy(home, root), [])
    (root / "LICENSE").write_text("All rights reserved.\n", encoding="utf-8")
    with pytest.raises(SigningRefused, match=r"LICENSE: licence not recognised; the policy allows only "
                                             r"Apache-2\.0, MIT"):
        require_policy(load_signing_policy(home, root), [])
    (root / "LICENSE").unlink()
    with pytest.raises(SigningRefused, match=f"no LICENSE or COPYING file in {root}"):
        require_policy(load_signing_policy(home, root), [])
    with pytest.raises(SigningRefused, match="no workspace was given to check"):
        require_policy(SigningPolicy(allowed_licences=("MIT",)), [])
    with pytest.raises(SigningRefused, match=r"allowed: none"):
        require_policy(SigningPolicy(allowed_licences=(), workspace=root,
                      licences=(FoundLicence("LICENSE", "MIT"),)), [])


def test_mandatory_exclusions_cover_files_and_their_directories() -> None:
    policy = SigningPolicy(mandatory_exclude=("secrets/", "*.sqlite", "/top.txt"))
    files = ["src/app.py", "secrets/a.txt", "deep/secrets/b.txt", "db/x.sqlite", "top.txt", "sub/top.txt"]
    assert policy.excluded_files(files) == [
        ("secrets/a.txt", "secrets/"), ("deep/secrets/b.txt", "secrets/"), ("db/x.sqlite", "*.sqlite"),
        ("top.txt", "/top.txt")]
    with pytest.raises(SigningRefused, match=r"^cannot sign: secrets/a\.txt and 3 more falls under the "
                                             r"policy's mandatory exclusion 'secrets/'; exclude it first"):
        require_policy(policy, files)
    require_policy(policy, ["src/app.py", "sub/top.txt"])


def test_a_broken_policy_file_is_named(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir()
    path = home.root / POLICY_FILE
    path.write_text("purpose = [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=f"^{path}:1: Invalid value$"):
        load_signing_policy(home, None)
    path.write_text("allowed_licences = \"MIT\"\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=f"^{path}:1: allowed_licences: "):
        load_signing_policy(home, None)
    path.write_text("", encoding="utf-8")
    root = workspace(tmp_path, "channels = 3\n")
    with pytest.raises(PolicyError, match="channels"):
        load_signing_policy(home, root)
