"""--trust KEYS and the source listing of a dataset build: what is accepted, what is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.consent import init_keys
from collector.dataset.check.source import Entry, entries
from collector.dataset.check.trust import parse_trust, parse_trusts
from collector.errors import UsageError
from collector.home import Home
from collector.upload.destinations import parse_destination
from collector.upload.stores import open_reader
from schemas.consent import ConsentReviewer


def test_a_file_of_keys_or_a_list_of_keys_and_ids(tmp_path: Path) -> None:
    alice, bob = (init_keys(Home(tmp_path / name)) for name in ("alice", "bob"))
    keys = tmp_path / "team.pub"
    keys.write_text(f"# the team\n{alice.public_b64}  # alice\n\n", encoding="utf-8")
    from_file = parse_trust(str(keys))
    assert from_file.admits(ConsentReviewer(public_key=alice.public_b64, key_id=alice.key_id))
    assert not from_file.admits(ConsentReviewer(public_key=bob.public_b64, key_id=bob.key_id))
    listed = parse_trust(f"{bob.key_id}, {alice.public_b64}")
    assert listed.admits(ConsentReviewer(public_key=bob.public_b64, key_id=bob.key_id))
    assert listed.describe() == sorted([bob.key_id, alice.public_b64])


def test_each_trust_given_adds_its_keys(tmp_path: Path) -> None:
    """`--trust alice.pub --trust bob.pub` trusts both (argparse alone keeps bob only)."""
    alice, bob = (init_keys(Home(tmp_path / name)) for name in ("alice", "bob"))
    files = []
    for name, keys in (("alice", alice), ("bob", bob)):
        files.append(tmp_path / f"{name}.pub")
        files[-1].write_text(f"{keys.public_b64}\n", encoding="utf-8")
    trust = parse_trusts([str(path) for path in files])
    for keys in (alice, bob):
        assert trust.admits(ConsentReviewer(public_key=keys.public_b64, key_id=keys.key_id))


def test_what_keys_show_prints_several_times_over_with_comments(tmp_path: Path) -> None:
    alice, bob, carol = (init_keys(Home(tmp_path / name)) for name in ("alice", "bob", "carol"))
    shown = (f"key id      {alice.key_id}\npublic key  {alice.public_b64}\nalgorithm   ed25519\n"
             f"passphrase  no\nfile        /home/alice/#keys/ed25519.key\n")
    as_json = json.dumps({"key_id": bob.key_id, "public_key": bob.public_b64, "algorithm": "ed25519"})
    keys = tmp_path / "team.pub"
    keys.write_text(f"# the team\n{shown}\n# bob, --json\n{as_json}\n{carol.key_id}  # by id\n",
                    encoding="utf-8")
    assert parse_trust(str(keys)).describe() == sorted([alice.public_b64, bob.public_b64, carol.key_id])
    keys.write_text(shown.replace(alice.public_b64, bob.public_b64), encoding="utf-8")
    with pytest.raises(UsageError, match=f"team.pub:1: key id {alice.key_id} is not the id of the public key "
                       "on line 2"):
        parse_trust(str(keys))


@pytest.mark.parametrize(("given", "says"), [
    ("abc", "abc is not a file, a public key"),
    (",", "names no key"),
    ("0123456789abcdeg", "is not a file, a public key"),
])
def test_what_is_not_a_key_is_one_usage_line(given: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        parse_trust(given)


def test_the_listing_groups_each_episode_with_what_lies_beside_it(tmp_path: Path) -> None:
    """A revocation whose episode is gone is listed too: the episode's rows must leave the dataset."""
    folder = tmp_path / "episodes"
    folder.mkdir()
    a, b = "a" * 64, "b" * 64
    for name in (f"{a}.ctape", f"{a}.json", f"{a}.revocation.json", f"{b}.ctape", f"{'c' * 64}.json",
                 f"{'d' * 64}.revocation.json",
                 f".{b}.ctape.1234.tmp", "odd.ctape"):
        (folder / name).write_bytes(b"x" * 3)
    (folder / "deeper").mkdir()
    (folder / "deeper" / f"{a}.ctape").write_bytes(b"x")
    found = list(entries(open_reader(parse_destination(tmp_path.as_uri()))))
    assert found == [Entry(f"episodes/{a}.ctape", a, 3, manifest=True, revocation=True),
                     Entry(f"episodes/{b}.ctape", b, 3),
                     Entry(f"episodes/{'d' * 64}.ctape", "d" * 64, 0, revocation=True, present=False),
                     Entry("episodes/odd.ctape", "odd", 3)]
