"""The docs pages generated from the code, committed so that they read the same on GitHub and on the site:
docs/reference/cli.md (the CLI reference, from the parsers: collector/cli/reference.py),
docs/episode-format.md (schemas/EPISODE_FORMAT.md, copied under a line saying so) and docs/data-contract.md
(every field of every table and export, from the writers' declarations: collector/dataset/card/contract.py).
Written by
`python -m collector.cli.docs_pages`; tests/unit/docs/test_generated_pages.py fails when a committed page
differs from what this writes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import schemas
from collector.cli.reference import cli_reference
from collector.dataset.card.contract import PAGE, data_contract

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EPISODE_FORMAT = Path(schemas.__file__).resolve().parent / "EPISODE_FORMAT.md"
REGENERATE = "run `.venv/bin/python -m collector.cli.docs_pages` and commit the result"


def episode_format() -> str:
    """docs/episode-format.md: the format spec itself, under a comment naming its source."""
    source = EPISODE_FORMAT.read_text(encoding="utf-8")
    return (
        "<!-- Generated from schemas/EPISODE_FORMAT.md by `python -m collector.cli.docs_pages`;"
        " edit that file, not this one. -->\n" + source
    )


PAGES: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_reference,
    "episode-format.md": episode_format,
    PAGE: data_contract,
}


def main() -> int:
    """Write every generated page under docs/, naming the ones that changed."""
    for name, render in PAGES.items():
        path = DOCS / name
        text = render()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
