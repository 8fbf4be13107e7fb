"""Where an episode's receipt lives and its bytes read within the size cap: shared by the receipt models
(`receipts.py`) and the plain reading a listing does (`fate.py`), which loads no model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from collector.home import Home

if TYPE_CHECKING:
    import uuid

MAX_RECEIPT = 4 * 1024 * 1024


def receipt_path(home: Home, episode_id: uuid.UUID | str) -> Path:
    return home.receipts / f"{episode_id}.json"


def read_bounded(path: Path) -> bytes | None:
    """The file's bytes; None when it is missing or above the cap (a receipt too large reads as none)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RECEIPT + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return data if len(data) <= MAX_RECEIPT else None
