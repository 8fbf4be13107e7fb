"""config.toml changed one setting at a time: values typed as the model wants, the rest of the file kept,
refused values leave the file as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import SettingsError, UsageError
from collector.home import Home
from collector.policy.config import load_config, set_value, setting, settings, unset
from collector.upload.destinations import set_destination
from collector.upload.errors import DestinationError


def test_set_keeps_comments_and_types_values(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.config.write_text("# my settings\n[upload]\n# where\nregion = \"eu-west-1\"\n", encoding="utf-8")
    set_value(home, "upload.concurrency", "2")
    set_value(home, "upload.allow_insecure", "true")
    set_value(home, "consent.mode", "unlinkable")
    text = home.config.read_text(encoding="utf-8")
    assert "# my settings" in text and "# where" in text and 'region = "eu-west-1"' in text
    config = load_config(home)
    assert (config.upload.concurrency, config.upload.allow_insecure, config.consent.mode) == (
        2, True, "unlinkable")
    assert setting(home, "upload.concurrency").line() == "upload.concurrency = 2"
    assert setting(home, "upload.max_attempts").line() == "upload.max_attempts = 3  (default)"


def test_a_refused_value_changes_nothing(tmp_path: Path) -> None:
    home = Home(tmp_path)
    set_value(home, "upload.concurrency", "3")
    before = home.config.read_bytes()
    with pytest.raises(SettingsError, match=r"upload.concurrency = 99 is refused \(.*16\).*not changed"):
        set_value(home, "upload.concurrency", "99")
    assert home.config.read_bytes() == before


def test_unknown_setting_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no setting 'upload\.too'.*upload\.to"):
        set_value(Home(tmp_path), "upload.too", "x")
    assert not Home(tmp_path).config.exists()


def test_unset_drops_the_empty_table(tmp_path: Path) -> None:
    home = Home(tmp_path)
    set_value(home, "upload.concurrency", "3")
    assert not unset(home, "upload.concurrency").set_in_file
    assert "[upload]" not in home.config.read_text(encoding="utf-8")
    keys = [found.key for found in settings(home)]
    assert "upload.to" in keys and "consent.mode" in keys


def test_set_destination_normalises_and_refuses_credentials(tmp_path: Path) -> None:
    home = Home(tmp_path)
    target = tmp_path / "dest"
    assert set_destination(home, f"file://{target}/").url.startswith("file:///")
    assert load_config(home).upload.to is not None
    with pytest.raises(DestinationError, match="must not hold credentials"):
        set_destination(home, "s3://user:secret@bucket/prefix")
    assert "secret" not in home.config.read_text(encoding="utf-8")
