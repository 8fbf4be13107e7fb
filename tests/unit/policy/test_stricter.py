"""The stricter of two `.codetape.toml` contents (collector/policy/stricter.py), one test per field: a file
changed since the user accepted it may make recording stricter, never looser, and what it would loosen is
said one line per field. Then what applies in a workspace (collector/policy/effective.py): the file as it
is when it is the content accepted, else the stricter of both, bounded by the defaults when nothing was
accepted yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from collector.cli.commands.init import SNAPSHOT_CHOICES
from collector.errors import SettingsError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.stricter import RULES, loosened, stricter, tightens
from collector.workspace.registry import Registry
from schemas.settings import SNAPSHOTS, WorkspaceSettings

HASH = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64


def both(accepted: dict[str, Any], current: dict[str, Any]) -> tuple[WorkspaceSettings, list[str]]:
    """The settings that apply, and what `current` loosens beyond `accepted`."""
    mine, theirs = msgspec.convert(accepted, WorkspaceSettings), msgspec.convert(current, WorkspaceSettings)
    return stricter(mine, theirs), loosened(mine, theirs)


def leaves(model: type[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for field in msgspec.structs.fields(model):
        kind = field.type
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            found |= leaves(kind, f"{prefix}{field.name}.")
        else:
            found.add(f"{prefix}{field.name}")
    return found


def test_every_field_has_a_rule() -> None:
    assert set(RULES) == leaves(WorkspaceSettings)


def test_channels_only_those_both_list() -> None:
    merged, said = both({"channels": ["edits", "git"]}, {"channels": ["edits", "commands", "files"]})
    assert merged.channels == ["edits"]
    assert said == ['channels: adds "commands", "files"']
    merged, said = both({"channels": ["edits", "git"]}, {"channels": ["git"]})
    assert merged.channels == ["git"] and said == []


def test_exclude_whatever_either_lists() -> None:
    merged, said = both({"exclude": ["secrets/", "*.csv"]}, {"exclude": ["*.csv", "build/"]})
    assert merged.exclude == ["*.csv", "build/", "secrets/"]
    assert said == ['exclude: drops "secrets/"']
    assert both({"exclude": ["a"]}, {"exclude": ["a", "b"]})[1] == []


def test_max_file_bytes_the_smaller_cap() -> None:
    merged, said = both({"max_file_bytes": 1000}, {"max_file_bytes": 50_000_000})
    assert merged.max_file_bytes == 1000 and said == ["max_file_bytes: 1000 -> 50000000"]
    assert both({"max_file_bytes": 1000}, {"max_file_bytes": 10})[0].max_file_bytes == 10


def test_snapshot_the_one_that_records_less() -> None:
    merged, said = both({}, {"snapshot": "tracked"})  # a clone's file cannot switch it on
    assert merged.snapshot == "none" and said == ["snapshot: none -> tracked"]
    merged, said = both({"snapshot": "tracked"}, {"snapshot": "none"})  # ...and may always switch it off
    assert merged.snapshot == "none" and said == []
    tracked = {"snapshot": "tracked"}
    assert both(tracked, tracked) == (WorkspaceSettings(snapshot="tracked"), [])
    assert SNAPSHOT_CHOICES == SNAPSHOTS  # what `codetape init --snapshot` offers (no settings model)


def test_redaction_allow_only_entries_both_list() -> None:
    merged, said = both({"redaction": {"allow": [HASH]}}, {"redaction": {"allow": [HASH, OTHER, "rule:jwt"]}})
    assert merged.redaction.allow == [HASH]
    assert said == [f'[redaction] allow: adds "{OTHER}", "rule:jwt"']


def test_tests_junit_only_globs_both_list() -> None:
    merged, said = both({}, {"tests": {"junit": ["out/**/*.xml"]}})
    assert merged.tests.junit == [] and said == ['[tests] junit: adds "out/**/*.xml"']


def test_policy_allowed_licences_only_what_both_allow() -> None:
    merged, said = both({"policy": {"allowed_licences": ["MIT"]}}, {"policy": {"allowed_licences": None}})
    assert merged.policy.allowed_licences == ["MIT"]
    assert said == ['[policy] allowed_licences: any licence instead of "MIT"']
    merged, said = both({"policy": {"allowed_licences": ["MIT"]}},
                        {"policy": {"allowed_licences": ["MIT", "GPL-3.0"]}})
    assert merged.policy.allowed_licences == ["MIT"] and said == ['[policy] allowed_licences: adds "GPL-3.0"']
    merged, said = both({}, {"policy": {"allowed_licences": ["Apache-2.0"]}})  # a list where any was allowed
    assert merged.policy.allowed_licences == ["Apache-2.0"] and said == []


def test_policy_mandatory_exclude_whatever_either_lists() -> None:
    merged, said = both({"policy": {"mandatory_exclude": ["data/"]}}, {})
    assert merged.policy.mandatory_exclude == ["data/"]
    assert said == ['[policy] mandatory_exclude: drops "data/"']


def test_idle_timeout_and_the_terms_are_the_files_own() -> None:
    merged, said = both({"idle_timeout_s": 60, "policy": {"purpose": "ours", "licence": "CC0-1.0"}},
                        {"idle_timeout_s": 7200, "policy": {"purpose": "theirs"}})
    assert (merged.idle_timeout_s, merged.policy.purpose, merged.policy.licence) == (7200, "theirs", None)
    assert said == []


def test_what_applies_is_the_accepted_content_or_the_stricter_of_both(tmp_path: Path) -> None:
    home, root = Home(tmp_path / "home"), tmp_path / "ws"
    root.mkdir()
    settings = root / ".codetape.toml"
    accepted = 'exclude = ["secrets/"]\n[redaction]\nallow = ["rule:jwt"]\n'
    settings.write_text(accepted)
    Registry(home).accept(root, accepted)
    effective = effective_settings(root, home)
    assert (effective.settings.exclude, effective.settings.redaction.allow) == (["secrets/"], ["rule:jwt"])
    assert effective.note() is None

    settings.write_text(f'exclude = []\n[redaction]\nallow = ["rule:jwt", "{HASH}"]\n')  # a pull loosens it
    effective = effective_settings(root, home)
    assert (effective.settings.exclude, effective.settings.redaction.allow) == (["secrets/"], ["rule:jwt"])
    assert effective.withheld == ('exclude: drops "secrets/"', f'[redaction] allow: adds "{HASH}"')
    assert effective.note() == ("settings changed since you accepted them (.codetape.toml): using the "
                                f"stricter of both; accept with `codetape trust {root}`")

    Registry(home).accept(root, settings.read_text())  # codetape trust
    effective = effective_settings(root, home)
    assert (effective.settings.exclude, effective.settings.redaction.allow) == ([], ["rule:jwt", HASH])
    assert effective.note() is None


def test_nothing_accepted_yet_is_bounded_by_the_defaults(tmp_path: Path) -> None:
    home, root = Home(tmp_path / "home"), tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text('max_file_bytes = 100\n[redaction]\nallow = ["rule:jwt"]\n')
    Registry(home).add(root)  # as an older codetape registered it
    effective = effective_settings(root, home)
    assert effective.settings.max_file_bytes == 100 and effective.settings.redaction.allow == []
    assert effective.note() is not None and "not accepted yet" in effective.note()  # type: ignore[operator]


def test_an_invalid_file_names_its_line(tmp_path: Path) -> None:
    home, root = Home(tmp_path / "home"), tmp_path / "ws"
    root.mkdir()
    settings = root / ".codetape.toml"
    settings.write_text('# codetape\nexclude = ["a"]\nchanels = ["edits"]\n')
    with pytest.raises(SettingsError,
                       match=rf"^{settings}:3: chanels: Object contains unknown field `chanels`$"):
        effective_settings(root, home)
    settings.write_text('exclude = ["a"]\n\n[redaction]\n# why\nallow = ["the secret itself"]\n')
    with pytest.raises(SettingsError, match=rf"^{settings}:5: redaction\.allow: entry 1 is"):
        effective_settings(root, home)
    settings.write_text('exclude = ["a"\nmax_file_bytes = 3\n')
    with pytest.raises(SettingsError, match=rf"^{settings}:2: Unclosed array$"):
        effective_settings(root, home)
    settings.write_text('channels = ["edits", "telepathy"]\n')
    with pytest.raises(SettingsError, match=rf"^{settings}:1: channels\.1: Invalid enum value 'telepathy'$"):
        effective_settings(root, home)


@pytest.mark.parametrize(("text", "line"), [
    ('exclude = ["a",', 1),
    ('exclude = ["a", "b"', 1),
    ('# codetape\nidle_timeout_s = 60\n\n# mine\nexclude = [\n  "a",\n  "b",\n', 5),
    ('exclude = [\n  "a",\n]\nmax_file_bytes = 3\r\n\r\n[redaction', 6),
    ('exclude = ["a"]\n\n# why\nidle_timeout_s =', 4),
])
def test_a_statement_left_open_at_the_end_names_the_line_it_begins_on(
        tmp_path: Path, text: str, line: int) -> None:
    """tomllib says only "(at end of document)" when the file ends inside a statement (an array never
    closed): the error names the line where that statement begins."""
    root = tmp_path / "ws"
    root.mkdir()
    settings = root / ".codetape.toml"
    settings.write_bytes(text.encode())
    with pytest.raises(SettingsError, match=
                       rf"^{settings}:{line}: .+ \(still open at the end of the file\)$"):
        effective_settings(root, Home(tmp_path / "home"))


def test_tightens_names_what_new_settings_record_less_of() -> None:
    """What applies at once during an episode (collector/daemon/session.py): `stricter(new, in_force)`."""
    in_force = WorkspaceSettings(exclude=["a/"], max_file_bytes=5000)
    new = WorkspaceSettings(channels=["edits", "git"], exclude=["b/"], max_file_bytes=100, idle_timeout_s=60)
    assert tightens(in_force, new) == ["channels", "exclude", "max_file_bytes"]  # not idle_timeout_s
    tight = stricter(new, in_force)
    assert (tight.channels, tight.exclude, tight.max_file_bytes) == (["edits", "git"], ["a/", "b/"], 100)
    assert tight.idle_timeout_s == in_force.idle_timeout_s  # when the episode ends is not stricter
    assert tightens(tight, new) == []  # applied once, nothing more to apply
    assert tightens(new, WorkspaceSettings()) == []  # looser: waits for the next episode
