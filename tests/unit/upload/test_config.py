"""CODETAPE_HOME/config.toml (schemas/config.py), read by `collector.upload.destinations`: what it says
becomes the destination, what is wrong is one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from collector.errors import SettingsError
from collector.home import Home
from collector.upload.destinations import configured
from collector.upload.ref import DestinationRef
from schemas.config import UploadSettings


def home_with(tmp_path: Path, config: str) -> Home:
    home = Home(tmp_path / "home")
    home.root.mkdir(mode=0o700)
    home.config.write_text(config, encoding="utf-8")
    return home


@pytest.mark.parametrize(("text", "line", "message"), [
    ('[upload]\nconcurrency = 0\n', 2, "upload.concurrency: Expected `int` >= 1"),
    ('[upload]\nto = "file:///x"\nconcurrency = 4.0\n', 3,
     "upload.concurrency: Expected `int`, got `float`"),  # TOML has integers: no coercion
    ('[upload]\nretry_mode = "fast"\n', 2, "upload.retry_mode: Invalid enum value 'fast'"),
    ('[upload]\nto = "file:///x"\ncolour = "blue"\n', 3,
     "upload.colour: Object contains unknown field `colour`"),
    ('[uploads]\nto = "file:///x"\n', 1, "uploads: Object contains unknown field `uploads`"),
    ('upload = [1]\n', 1, "upload: Expected `object`, got `array`"),
    ('[upload\n', 1, "Expected ']'"),
])
def test_what_is_wrong_is_one_line_with_its_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    home = home_with(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        configured(home)
    said = str(caught.value)
    assert said.startswith(f"{home.config}:{line}: ") and message in said and "\n" not in said


def test_the_config_gives_the_destination_its_settings(tmp_path: Path) -> None:
    home = home_with(tmp_path, '[upload]\nto = "s3://bucket/pre"\nendpoint_url = "http://127.0.0.1:9"\n'
                               'concurrency = 2\n')
    destination = configured(home)
    assert destination is not None and destination.url == "s3://bucket/pre"
    assert destination.settings == UploadSettings(to="s3://bucket/pre", endpoint_url="http://127.0.0.1:9",
                                                  concurrency=2)
    assert destination.ref() == msgspec.convert(
        {"url": "s3://bucket/pre", "endpoint_url": "http://127.0.0.1:9", "allow_insecure": False},
        DestinationRef)
    insecure = configured(home, allow_insecure=True)
    assert insecure is not None and insecure.settings.allow_insecure and insecure.settings.concurrency == 2


def test_no_config_no_destination(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir()
    assert configured(home) is None
    given = configured(home, "file:///x")
    assert given is not None and given.settings == UploadSettings()

