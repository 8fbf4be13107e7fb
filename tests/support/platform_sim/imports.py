"""Which of codetape's modules import under a simulated platform: run from the repository's root,

    CODETAPE_SIMULATE_PLATFORM=win32 PYTHONPATH=tests/support/platform_sim .venv/bin/python \\
        tests/support/platform_sim/imports.py

prints how many modules of schemas, collector and lsp_bridge fail to import, by reason, and each one."""

from __future__ import annotations

import collections
import importlib
import sys
import traceback
from pathlib import Path


def modules(root: Path) -> list[str]:
    found = []
    for top in ("schemas", "collector", "lsp_bridge"):
        for path in sorted((root / top).rglob("*.py")):
            name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            if not name.endswith("__main__"):
                found.append(name)
    return found


def main() -> int:
    root = Path(__file__).resolve().parents[3]
    sys.path.insert(0, str(root))
    names = modules(root)
    failed: dict[str, str] = {}
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException as exc:  # any failure to import counts
            where = [f"{frame.filename}:{frame.lineno}" for frame in traceback.extract_tb(exc.__traceback__)
                     if "importlib" not in frame.filename][-1:]
            failed[name] = f"{type(exc).__name__}: {exc} ({', '.join(where)})"
    print(f"{len(failed)} of {len(names)} modules fail to import")
    reasons = collections.Counter(reason.split(" (")[0] for reason in failed.values())
    for reason, count in reasons.most_common():
        print(f"  {count:4d}  {reason}")
    for name, reason in failed.items():
        print(f"  {name}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
