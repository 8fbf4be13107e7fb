"""How this home signs and when its unlinkable shares leave: the consent mode and the upload delay, read
from config.toml's `[consent]` (collector/policy/config.py) for the review, the CLI and the annex alike.
"""

from __future__ import annotations

from typing import Literal

from collector.consent.unlinkable import Timing
from collector.home import Home
from collector.policy.config import load_config

Mode = Literal["attributed", "unlinkable"]


def configured_mode(home: Home) -> Mode:
    """`[consent] mode`: attributed (the default) or unlinkable."""
    return load_config(home).consent.mode


def signing_mode(home: Home, unlinkable: bool = False) -> Timing | None:
    """None to sign attributed; the timing ("drawn", "retimed", "coarse" or "exact") to sign unlinkable, as
    `unlinkable` (`sign --unlinkable`) or `[consent] mode` in config.toml asks."""
    settings = load_config(home).consent
    return settings.timing if unlinkable or settings.mode == "unlinkable" else None


def upload_delay_max_s(home: Home) -> int:
    """`[consent] upload_delay_max_s`: the bound of the random delay before an unlinkable episode, a
    revocation's record or a top-up of episode keys leaves (collector/due.py draws it)."""
    return load_config(home).consent.upload_delay_max_s
