"""Where codetape keeps its local state: `CODETAPE_HOME` when set, else the platform's dirs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Home:
    """All of codetape's local state, under one root (tests always pass their own)."""

    root: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Home:
        env = os.environ if env is None else env
        explicit = env.get("CODETAPE_HOME")
        if explicit:
            return cls(Path(explicit).expanduser().resolve())
        return cls(Path(platformdirs.user_data_dir("codetape", appauthor=False)))

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def journals(self) -> Path:
        return self.root / "journals"

    @property
    def episodes(self) -> Path:
        return self.root / "episodes"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def receipts(self) -> Path:
        return self.root / "receipts"

    @property
    def socket(self) -> Path:
        return self.run / "collector.sock"

    def ensure(self, directory: Path) -> Path:
        """Create a private (0700) directory under the root if missing."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return directory
