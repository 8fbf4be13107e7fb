"""`codetape bridge [-- CMD ARGS...]`: the LSP bridge (observe mode, or proxy mode in front of CMD)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bridge", help="run the LSP bridge (observe mode, or proxy mode: -- CMD ARGS)",
        description="Record editor activity over LSP. Without CMD: an extra language server that only "
                    "observes. With -- CMD ARGS: a proxy in front of that language server.")
    from lsp_bridge.arguments import add_arguments

    add_arguments(parser)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from lsp_bridge.main import run

    return run(args)
