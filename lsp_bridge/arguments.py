"""The `codetape bridge` command line, kept apart so the CLI can list it without loading the bridge."""

from __future__ import annotations

import argparse

SPOOL_STEPS = 200_000  # steps kept in memory while the collector is unreachable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-autostart", action="store_true",
                        help="do not start the collector when it is not running (keep retrying instead)")
    parser.add_argument("--log", metavar="FILE", help="append the bridge's log to FILE instead of stderr")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step of the recorder")
    parser.add_argument("--spool-steps", type=int, default=SPOOL_STEPS, metavar="N",
                        help="steps kept in memory while the collector is unreachable (default %(default)s)")
    parser.add_argument("--tap-messages", type=int, default=500_000, metavar="N",
                        help="proxy mode: messages queued for the recorder before it counts drops "
                             "(default %(default)s)")
    parser.add_argument("server", nargs=argparse.REMAINDER, metavar="-- CMD ARGS",
                        help="proxy mode: the language server to run and forward to")
