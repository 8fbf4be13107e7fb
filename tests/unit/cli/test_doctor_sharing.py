"""doctor's lines on what signing and uploading need: the key (or the enrolment) and the destination."""

from __future__ import annotations

from pathlib import Path

from collector.cli.commands.doctor import _sharing
from collector.consent import init_keys
from collector.consent.keys import key_path
from collector.home import Home
from collector.policy.config import set_value


def lines(home: Home) -> list[str]:
    return [check.line() for check in _sharing(home)]


def test_nothing_set_up_is_not_a_fault(tmp_path: Path) -> None:
    signing, destination = lines(Home(tmp_path))
    assert signing.startswith("--      signing: no signing key yet: the review's sign dialog makes one")
    assert destination.startswith("--      upload destination: none: signed episodes wait in the outbox")


def test_key_and_destination_found(tmp_path: Path) -> None:
    home = Home(tmp_path)
    info = init_keys(home, passphrase=None)
    set_value(home, "upload.to", f"file://{tmp_path / 'dest'}")
    signing, destination = lines(home)
    assert signing == f"ok      signing: key {info.key_id}, not encrypted (no passphrase)"
    assert destination == f"ok      upload destination: file://{tmp_path / 'dest'}"


def test_damaged_key_and_unenrolled_unlinkable(tmp_path: Path) -> None:
    home = Home(tmp_path)
    init_keys(home, passphrase=None)
    key_path(home).write_text("{}", encoding="utf-8")
    assert lines(home)[0].startswith("PROBLEM signing: ")
    set_value(home, "consent.mode", "unlinkable")
    assert lines(home)[0].startswith("--      signing: unlinkable mode, not enrolled yet: codetape enroll")
