"""How many examples a property test tries: all it asks for under `scripts/test --all` (as CI runs it,
CODETAPE_ALL_EXAMPLES=1), a tenth of them (at least 50) in a developer's run, which must answer fast."""

from __future__ import annotations

import os

ALL = os.environ.get("CODETAPE_ALL_EXAMPLES") == "1"


def examples(wanted: int) -> int:
    return wanted if ALL else min(wanted, max(50, wanted // 10))
