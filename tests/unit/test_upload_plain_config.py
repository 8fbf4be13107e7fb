"""config.toml's [upload] read without pydantic (collector/upload/plain_config.py) agrees with
`UploadSettings`: whatever the plain reader accepts, the model accepts with the same values, and
everything else still gets the model's one-line error (issue 14)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.errors import SettingsError
from collector.home import Home
from collector.upload.destinations import configured
from collector.upload.plain_config import PLAIN, PlainUpload, plain_upload
from schemas.settings import UploadSettings
from tests.examples import examples

VALUES = st.one_of(st.booleans(), st.integers(-3, 6000), st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from(["standard", "adaptive", "", "file:///x", "s3://b/p", "4", " x"]),
                   st.text(st.characters(codec="utf-8"), max_size=300))
UPLOADS = st.dictionaries(st.sampled_from([*PLAIN, "unknown"]), VALUES, max_size=5)


def test_the_plain_reader_names_the_models_fields_and_defaults() -> None:
    assert set(PLAIN) == set(UploadSettings.model_fields)
    assert dataclasses.asdict(PlainUpload()) == UploadSettings().model_dump()


@settings(max_examples=examples(400), deadline=None)
@given(UPLOADS)
def test_whatever_reads_plainly_the_model_reads_alike(upload: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "config.toml"
        path.write_text(_toml(upload), encoding="utf-8")
        plain = plain_upload(path)
        if plain is not None:
            parsed = tomllib.loads(path.read_text(encoding="utf-8"))["upload"]
            assert dataclasses.asdict(plain) == UploadSettings.model_validate(parsed).model_dump()


@pytest.mark.parametrize(("text", "message"), [
    ('[upload]\nconcurrency = 0\n', "upload.concurrency: Input should be greater than or equal to 1"),
    ('[upload]\nconcurrency = 4.0\n', None),  # pydantic reads 4.0 as 4: the model decides
    ('[upload]\nretry_mode = "fast"\n', "upload.retry_mode: Input should be 'standard' or 'adaptive'"),
    ('[upload]\ncolour = "blue"\n', "upload.colour: Extra inputs are not permitted"),
    ('[uploads]\nto = "file:///x"\n', "uploads: Extra inputs are not permitted"),
    ('[upload\n', "Expected ']'"),
])
def test_what_is_not_plain_goes_to_the_model(tmp_path: Path, text: str, message: str | None) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir()
    home.config.write_text(text, encoding="utf-8")
    assert plain_upload(home.config) is None
    if message is None:
        assert configured(home) is None
        return
    with pytest.raises(SettingsError) as caught:
        configured(home)
    # the file and, where the key is found, its line: `config.toml:2: upload.concurrency: ...`
    assert re.match(rf"{re.escape(str(home.config))}(:\d+)?: ", str(caught.value))
    assert message in str(caught.value)


def test_a_plain_config_gives_the_destination_the_model_would(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir()
    home.config.write_text('[upload]\nto = "s3://bucket/pre"\nendpoint_url = "http://127.0.0.1:9"\n'
                           'concurrency = 2\n', encoding="utf-8")
    destination = configured(home)
    assert isinstance(destination.settings if destination else None, PlainUpload)
    assert destination is not None and destination.url == "s3://bucket/pre"
    assert destination.ref() == destination.ref().model_validate(
        {"url": "s3://bucket/pre", "endpoint_url": "http://127.0.0.1:9", "allow_insecure": False})
    assert configured(home, allow_insecure=True).settings.allow_insecure  # type: ignore[union-attr]


def _toml(upload: dict[str, Any]) -> str:
    lines = ["[upload]"]
    for key, value in upload.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f"{key} = {_quoted(value)}")
        else:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return '"' + "".join(f"\\u{ord(c):04x}" if c in '"\\' or ord(c) < 32 or ord(c) == 127 else c
                         for c in value) + '"'


def test_status_with_a_plain_config_loads_no_pydantic(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir(mode=0o700)
    home.config.write_text(f'[upload]\nto = "{(tmp_path / "dest").as_uri()}"\n', encoding="utf-8")
    probe = ("import sys\nfrom collector.cli.main import main\nmain(['status'])\n"
             "print('pydantic' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=tmp_path, env={"CODETAPE_HOME": str(home.root), "PATH": "/usr/bin:/bin"})
    assert done.stderr.strip() == "False"
    assert f"0 signed episodes waiting for upload to {(tmp_path / 'dest').as_uri()}" in done.stdout
