"""SPDX licence expressions, checked by `license-expression` (nexB's, with the SPDX licence list bundled).

The licence an episode is shared under (`[policy] licence`) must be an SPDX expression: `CC-BY-4.0`,
`MIT OR Apache-2.0`, or a licence of your own named `LicenseRef-<idstring>` (SPDX's form for a licence
not on its list). A receiver's `--allow-licence` list then decides by the expression: `A OR B` is allowed
when either side is, `A AND B` when both are, `A WITH exception` when A is.
"""

from __future__ import annotations

import re
from functools import cache

from boolean import ParseError
from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseExpression,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    get_spdx_licensing,
)

_REF = re.compile(r"^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
HINT = "an SPDX expression: CC-BY-4.0, MIT OR Apache-2.0, or LicenseRef-<name> for a licence of your own"


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def spdx_problem(expression: str) -> str | None:
    """Why `expression` is not an SPDX licence expression; None when it is."""
    refused = f"{expression!r} is not {HINT}"
    try:
        parsed = _licensing().parse(expression, validate=False, strict=True)
    except (ExpressionError, ParseError):
        return refused
    if parsed is None:
        return None
    unknown = [key for key in _licensing().unknown_license_keys(parsed) if not _REF.match(key)]
    return refused if unknown else None


def normalized(expression: str) -> str:
    """The expression with the SPDX list's spelling of each key (`mit` -> `MIT`); as given when invalid."""
    try:
        return str(_licensing().parse(expression, validate=False))
    except (ExpressionError, ParseError):
        return expression


def allowed_by(expression: str, allowed: frozenset[str]) -> bool:
    """Whether the licences in `allowed` (SPDX ids, any case) permit what `expression` grants."""
    try:
        parsed = _licensing().parse(expression, validate=False)
    except (ExpressionError, ParseError):
        return False
    return parsed is not None and _permits(parsed, {key.lower() for key in allowed})


def _permits(node: LicenseExpression, allowed: set[str]) -> bool:
    if isinstance(node, LicenseWithExceptionSymbol):
        return _permits(node.license_symbol, allowed)
    if isinstance(node, LicenseSymbol):
        return str(node.key).lower() in allowed
    if isinstance(node, OR):
        return any(_permits(arg, allowed) for arg in node.args)
    if isinstance(node, AND):
        return all(_permits(arg, allowed) for arg in node.args)
    return False
