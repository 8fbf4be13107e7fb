"""The one loader of codetape's TOML files: read, parse, validate against a pydantic model.

Every problem becomes one line naming the file and the first thing wrong (`path: key.sub: message`),
raised as the caller's error class, so the recording settings and the sharing policy fail alike.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

import pydantic

from collector.errors import CodetapeError

M = TypeVar("M", bound=pydantic.BaseModel)


def load_model(path: Path, model: type[M], error: type[CodetapeError]) -> M | None:
    """`path` parsed and validated as `model`; None when the file does not exist."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{path}: {exc}") from None
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        raise error(f"{path}: {where}: {first['msg']}") from None
