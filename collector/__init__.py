"""codetape's local side: journal, episodes, capture sources, the CLI. Never imports pygls."""

from __future__ import annotations

__version__ = "0.1.0"
