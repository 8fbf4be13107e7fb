"""`codetape acp [--no-autostart] [--log FILE] -- AGENT ARGS...`: record an Agent Client Protocol agent.

Configure your editor's ACP agent (Zed's `agent_servers`, a JetBrains IDE's `acp.json`, Neovim's or
Emacs's ACP client) to run `codetape acp -- AGENT ARGS...` instead of `AGENT ARGS...`: codetape starts
the agent and forwards every byte between the two unchanged (lsp_bridge/modes/acp.py), recording in an
opted-in workspace the prompts, tool calls, permission requests and the editor's answers, and the diffs
the agent proposes (lsp_bridge/steps/acp.py).
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "acp", help="record an ACP agent: run it behind codetape (-- AGENT ARGS)",
        description="Sit between an Agent Client Protocol client (an editor) and the agent AGENT, forwarding "
                    "every byte unchanged, and record in an opted-in workspace the prompts, tool calls, "
                    "permission requests and answers, and proposed diffs.")
    parser.add_argument("--no-autostart", action="store_true",
                        help="do not start the collector when it is not running (keep retrying instead)")
    parser.add_argument("--log", metavar="FILE", help="append codetape's log to FILE instead of stderr")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step of the recorder")
    parser.add_argument("--spool-steps", type=int, default=200_000, metavar="N",
                        help="steps kept in memory while the collector is unreachable (default %(default)s)")
    parser.add_argument("agent", nargs=argparse.REMAINDER, metavar="-- AGENT ARGS",
                        help="the ACP agent to run and forward to")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from lsp_bridge.main import run_acp

    return run_acp(args)
