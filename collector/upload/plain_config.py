"""CODETAPE_HOME/config.toml's `[upload]` read without pydantic when it is plainly valid.

Importing pydantic and building `CodetapeConfig` cost more than the rest of `codetape status`. A config
whose every value is of the exact type and within the bounds `schemas.settings.UploadSettings` declares
is read here into `PlainUpload`; anything else (a parse error, an unknown key, a value pydantic would
coerce or refuse) returns None and goes through the model, which says what is wrong. A test keeps the
two in step (tests/unit/test_upload_plain_config.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class UploadOptions(Protocol):
    """What a destination reads of the `[upload]` settings: `UploadSettings` or `PlainUpload`."""

    @property
    def to(self) -> str | None: ...
    @property
    def endpoint_url(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def profile(self) -> str | None: ...
    @property
    def allow_insecure(self) -> bool: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def part_size_mib(self) -> int: ...
    @property
    def retry_mode(self) -> str: ...
    @property
    def max_attempts(self) -> int: ...
    @property
    def connect_timeout_s(self) -> int: ...
    @property
    def read_timeout_s(self) -> int: ...


@dataclass(frozen=True)
class PlainUpload:
    """`UploadSettings`' fields and defaults, for a config that needed no model to validate."""

    to: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    allow_insecure: bool = False
    concurrency: int = 4
    part_size_mib: int = 8
    retry_mode: str = "standard"
    max_attempts: int = 3
    connect_timeout_s: int = 5
    read_timeout_s: int = 20


def _text(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and low <= len(value) <= high


def _number(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: type(value) is int and low <= value <= high


PLAIN: dict[str, Callable[[Any], bool]] = {
    "to": _text(1, 4096), "endpoint_url": _text(1, 4096), "region": _text(1, 256), "profile": _text(1, 256),
    "allow_insecure": lambda value: type(value) is bool, "concurrency": _number(1, 16),
    "part_size_mib": _number(5, 5120), "retry_mode": lambda value: value in ("standard", "adaptive"),
    "max_attempts": _number(1, 20), "connect_timeout_s": _number(1, 300), "read_timeout_s": _number(1, 3600),
}


def plain_upload(path: Path) -> PlainUpload | None:
    """The `[upload]` settings of the config at `path` when plainly valid (the defaults when there is no
    file); None when the model must judge (an unreadable file too: its loader says why)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return PlainUpload()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    upload = data.get("upload", {})
    if set(data) - {"upload"} or not isinstance(upload, dict):
        return None
    if any(key not in PLAIN or not PLAIN[key](value) for key, value in upload.items()):
        return None
    return PlainUpload(**upload)
