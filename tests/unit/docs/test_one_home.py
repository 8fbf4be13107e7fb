"""One fact, one home (issue 77, items 1 and 2): config.toml is parsed by collector/policy/config.py alone,
and the consent mode, its timing and the upload delay are read from it through collector/consent/mode.py
alone (the managed policy's own `[consent] mode`, a requirement of the organisation's, is another fact)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("collector", "lsp_bridge")


def mentions(pattern: str, home: str) -> list[str]:
    """`path:line: text` of each line of codetape's code outside `home` that matches `pattern`."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where == home:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(pattern, line):
                    found.append(f"{where}:{number}: {line.strip()}")
    return found


def test_only_the_config_module_parses_config_toml() -> None:
    found = mentions(r"\bCodetapeConfig\b", "collector/policy/config.py")
    assert not found, "config.toml is read through collector.policy.config.load_config:\n" + "\n".join(found)


def test_only_the_mode_module_reads_the_mode_and_the_delay() -> None:
    found = mentions(r"(load_config\(.*\)|\bconfig|\bsettings)\.consent\.(mode|timing|upload_delay_max_s)\b"
                     r"|\bsettings\.(mode|timing|upload_delay_max_s)\b", "collector/consent/mode.py")
    assert not found, ("the consent mode and the upload delay are read through collector.consent.mode:\n"
                       + "\n".join(found))
