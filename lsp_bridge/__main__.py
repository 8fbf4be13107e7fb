"""`python -m lsp_bridge`: the same as `codetape bridge`."""

from __future__ import annotations

import sys

from lsp_bridge.main import main

sys.exit(main())
