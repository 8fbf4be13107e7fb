"""tests/tcp_tier.txt, the modules scripts/test runs again over loopback TCP: each names a test module that
exists, once, so that a module moved or renamed fails here rather than dropping out of CI's TCP run."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_module_of_the_tcp_tier_exists_once() -> None:
    listed = [line for line in (ROOT / "tests" / "tcp_tier.txt").read_text().splitlines()
              if line and not line.startswith("#")]
    assert listed and len(listed) == len(set(listed))
    assert [path for path in listed if not (ROOT / path).is_file() or not path.endswith(".py")] == []
