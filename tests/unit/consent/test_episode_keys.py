"""The member's store of per-episode keys (collector/consent/episode_keys.py): a key taken is in the
used-key ledger before it is returned, never handed out again, not even after its batch file is restored
from a copy; the authorisation format read back as written."""

from __future__ import annotations

import os
import shutil
import stat
import threading
from pathlib import Path

import pytest

from collector.consent.authorisation import Authorisation
from collector.consent.episode_keys import (
    EpisodeKey,
    new_key_pair,
    store_batch,
    stored_keys,
    take_key,
    unused_counts,
    used_keys,
)
from collector.consent.errors import KeyProblem
from collector.home import Home


def batch(epoch: str, count: int) -> list[EpisodeKey]:
    keys = []
    for _ in range(count):
        seed, public = new_key_pair()
        keys.append(EpisodeKey(public, seed, Authorisation("0123456789abcdef", epoch, os.urandom(32),
                                                           os.urandom(384))))
    return keys


def test_take_key_marks_each_key_used_durably_before_returning_it(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    stored = batch("2026-11", 3) + batch("2026-12", 2)
    store_batch(home, stored[:3])
    store_batch(home, stored[3:])
    assert stored_keys(home) == stored
    assert unused_counts(home) == {"2026-11": 3, "2026-12": 2}
    first = take_key(home, "2026-11")
    assert first == stored[0]
    assert used_keys(home) == {first.public_key}  # read back from the ledger on disk
    assert stat.S_IMODE((home.enrolment / "used").stat().st_mode) == 0o600
    taken = [first, take_key(home, "2026-11"), take_key(home, "2026-11")]
    assert len({key.public_key for key in taken}) == 3
    with pytest.raises(KeyProblem, match=r"no unused episode key authorised for 2026-11 .*enroll --refresh"):
        take_key(home, "2026-11")
    assert unused_counts(home) == {"2026-12": 2}
    assert stored_keys(home) == stored  # used keys stay: they sign their episode's revocation


def test_a_batch_restored_from_a_copy_does_not_make_a_used_key_usable_again(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    path = store_batch(home, batch("2026-11", 2))
    backup = tmp_path / "backup.json"
    shutil.copy2(path, backup)
    take_key(home, "2026-11")
    take_key(home, "2026-11")
    path.unlink()
    shutil.copy2(backup, path)  # the batch as it was before either key was taken
    assert unused_counts(home) == {}
    with pytest.raises(KeyProblem):
        take_key(home, "2026-11")


def test_batches_are_private_and_a_readable_or_damaged_one_is_refused(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    path = store_batch(home, batch("2026-11", 1))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.enrolment.stat().st_mode) == 0o700
    path.chmod(0o644)
    with pytest.raises(KeyProblem, match="accessible by other users"):
        stored_keys(home)
    path.chmod(0o600)
    path.write_text(path.read_text().replace('"seed": "', '"seed": "AAAA'))
    with pytest.raises(KeyProblem, match="damaged episode key batch"):
        stored_keys(home)


def test_keys_taken_at_the_same_time_are_all_different(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    store_batch(home, batch("2026-11", 8))
    taken: list[bytes] = []

    def take() -> None:
        taken.append(take_key(home, "2026-11").public_key)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(taken)) == 8
    assert used_keys(home) == set(taken)
