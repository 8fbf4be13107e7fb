"""What the seal-ahead tests share: sessions with secrets typed one key at a time, and the comparison of
a sealed-ahead episode with the seal of the same journal from scratch."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from collector.home import Home
from collector.seal.redacted import seal_redacted
from collector.seal.summaries import summary_path
from schemas import step_to_dict
from tests.integration.redact.test_redaction_seal import SECRETS
from tests.integration.redact.test_redaction_seal import _session as secret_steps
from tests.support.sessions import generate


def session_steps(seed: int, scale: float) -> list[dict[str, Any]]:
    """A generated coding session (tests/support/sessions.py) with, in its middle, secrets typed one key at a
    time and sent in every other channel; plain step dicts without their times."""
    steps = [{k: v for k, v in step_to_dict(step).items() if k != "t_ms"}
             for step in generate(seed, "mixed", scale=scale).steps]
    middle = len(steps) // 2
    return steps[:middle] + secret_steps()[0] + steps[middle:]


def from_scratch(journal: Path, workspace: Path, out: Path, home: Path | None = None) -> Path:
    """The episode the collector's seal from the journal makes of a copy of `journal` (with the allow-list
    the user of `home` accepted, by default that of the home `out` is in)."""
    copy = out / journal.name
    out.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(journal.read_bytes())
    result = seal_redacted(copy, out, workspace=workspace, home=Home(home.resolve()) if home else None)
    assert result is not None
    return result.path


def assert_same_seal(episode: Path, expected: Path, *, allowed: frozenset[str] = frozenset()) -> None:
    """Byte for byte the same episode and redaction summary, and no secret but the `allowed` in either."""
    assert episode.name == expected.name
    assert episode.read_bytes() == expected.read_bytes()
    assert summary_path(episode).read_bytes() == summary_path(expected).read_bytes()
    for path in (episode, summary_path(episode)):
        blob = path.read_bytes()
        assert not any(secret.encode() in blob for secret in SECRETS if secret not in allowed)


def leftovers(directory: Path) -> list[str]:
    """Temporary files (collector.atomic's) left in `directory`."""
    if not directory.is_dir():
        return []
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))
