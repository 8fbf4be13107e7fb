"""`codetape bridge [-- CMD ARGS...]`: the LSP bridge (observe mode, or proxy mode in front of CMD).

Proxy mode's language server starts before argparse and the bridge load, as with `python -m lsp_bridge`:
collector/cli/main.py calls `start_early` with what follows `bridge` (lsp_bridge/server.py reads a
plainly formed command line) and parses into a namespace holding the server as `started`; `_run` hands
it to the bridge, which replaces it when argparse read another command. main.py stops it once the
command is over, so a usage error or a refusal does not leave it running.
"""

from __future__ import annotations

from lsp_bridge.server import start_early, stop_server

TYPE_CHECKING = False  # typing and argparse are not loaded before proxy mode's server starts
if TYPE_CHECKING:
    import argparse
    from typing import Any

__all__ = ["register", "start_early", "stop_server"]


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

    return run(args, getattr(args, "started", None))  # None: parsed without main.py's early start
