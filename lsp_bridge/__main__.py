"""`python -m lsp_bridge`: the same as `codetape bridge`."""

from __future__ import annotations

import sys

from collector.protocol.crashes import stacks_on_crash
from lsp_bridge.server import start_early


def _main() -> int:
    """Proxy mode's language server starts before anything else loads (argparse, the bridge)."""
    stacks_on_crash()  # on stderr until --log names a file (collector/protocol/crashes.py)
    server = start_early(sys.argv[1:])
    # after the language server is started (start_early): the bridge loads while it starts
    from lsp_bridge.main import main

    return main(server=server)


sys.exit(_main())
