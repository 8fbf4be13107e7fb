"""The report page's inline style and script, the Content-Security-Policy that allows exactly them, and
the colours the chart and the page share.

The style and script are the package's files `static/report.css` and `static/report.js` (the style
followed by one `.k-KIND{--kind:COLOUR}` rule per kind of step). Both travel inside the one HTML file: no
network, no external assets. The page's Content-Security-Policy allows exactly these two blocks, by the
sha256 of their text, and nothing else, so even a mistake in escaping could not run a script an episode
smuggled in.
"""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files

COLOURS = {
    "edit": "#3b82f6",
    "save": "#0d9488",
    "error": "#dc2626",
    "warning": "#f59e0b",
    "pass": "#16a34a",
    "fail": "#dc2626",
    "muted": "#94a3b8",
    "git": "#7c3aed",
    "file": "#64748b",
    "note": "#ea580c",
}

KIND_COLOURS = {
    "edit": COLOURS["edit"], "cursor": "#93c5fd", "save": COLOURS["save"], "open": COLOURS["file"],
    "close": COLOURS["file"], "file_change": COLOURS["file"], "diagnostics": COLOURS["warning"],
    "test_run": COLOURS["pass"], "command": "#0f172a", "git": COLOURS["git"], "note": COLOURS["note"],
    "task": COLOURS["note"], "gap": "#475569", "redaction": "#be185d", "agent": "#7c3aed",
}

# whose work (schemas/steps/edit.py's origins): the developer's own in blues and greens, tools in slate,
# AI in purples, what cannot be told in light grey
ORIGIN_COLOURS = {
    "typed": "#2563eb", "paste": "#0ea5e9", "cut": "#38bdf8", "completion": "#0d9488", "snippet": "#14b8a6",
    "code_action": "#64748b", "rename": "#64748b", "format": "#94a3b8", "ai_completion": "#c026d3",
    "agent": "#7c3aed", "undo": "#cbd5e1", "redo": "#cbd5e1", "unknown": "#e2e8f0",
}

LANGUAGE_COLOURS = ("#0f766e", "#2563eb", "#ca8a04", "#9333ea", "#db2777", "#64748b")  # by rank


def static(name: str) -> str:
    """The text of `static/<name>`, shipped with the package."""
    return (files("collector.report") / "static" / name).read_text(encoding="utf-8")


KIND_CSS = "\n".join(f".k-{kind}{{--kind:{colour}}}" for kind, colour in KIND_COLOURS.items())
STYLE = static("report.css") + KIND_CSS
SCRIPT = static("report.js")


def csp_hash(source: str) -> str:
    """The CSP source expression that allows an inline block whose text is exactly `source`."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


CSP = (f"default-src 'none'; style-src {csp_hash(STYLE)}; script-src {csp_hash(SCRIPT)}; "
       "img-src 'none'; base-uri 'none'; form-action 'none'")
