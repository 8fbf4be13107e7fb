"""SPDX licence expressions, checked by `license-expression` (nexB's, with the SPDX licence and exception
lists bundled).

The licence an episode is shared under (`[policy] licence`) must be an SPDX expression: `CC-BY-4.0`,
`MIT OR Apache-2.0`, `GPL-2.0-only WITH Classpath-exception-2.0`, or a licence of your own named
`LicenseRef-<idstring>` (SPDX's form for a licence not on its list). Every licence id must be on the SPDX
licence list (or be a `LicenseRef-`), every exception after `WITH` on the SPDX exceptions list (a
`LicenseRef-` is no exception, and neither is an exception scancode knows that SPDX does not list). A
`LicenseRef-` is taken as written: never as the SPDX licence a scancode alias would make of it.

The signer's codetape checks this before signing; a dataset build checks it again (its own check, on the
signed statement). A receiver's `--allow-licence` list then decides by the expression: `A OR B` is allowed
when either side is, `A AND B` when both are, `A WITH exception` only when the list names that pair
(an exception changes the licence's terms: the bare `A` does not permit it).
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
HINT = ("an SPDX expression: CC-BY-4.0, MIT OR Apache-2.0, GPL-2.0-only WITH Classpath-exception-2.0 (an "
        "exception from the SPDX list), or LicenseRef-<name> for a licence of your own")


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


@cache
def _literal() -> Licensing:
    """A licensing that knows no licence: symbols exactly as written."""
    return Licensing()


def spdx_problem(expression: str) -> str | None:
    """Why `expression` is not an SPDX licence expression; None when it is."""
    return None if _parsed(expression) is not False else f"{expression!r} is not {HINT}"


def normalized(expression: str) -> str:
    """The expression with the SPDX list's spelling of each key (`mit` -> `MIT`); as given when invalid."""
    parsed = _parsed(expression)
    return expression if parsed is False or parsed is None else str(parsed)


def licence_ids(expression: str) -> list[str]:
    """The SPDX licence ids `expression` names, in lower case, once each (not its exceptions, nor
    a `LicenseRef-` of its own); none when it is no SPDX expression."""
    parsed = _parsed(expression)
    if parsed is False or parsed is None:
        return []
    found: list[str] = []
    for symbol in parsed.symbols if isinstance(parsed, LicenseExpression) else ():
        key = str((symbol.license_symbol if isinstance(symbol, LicenseWithExceptionSymbol) else symbol).key)
        if not _REF.match(key) and key.lower() not in found:
            found.append(key.lower())
    return found


def allowed_by(expression: str, allowed: frozenset[str]) -> bool:
    """Whether the entries of `allowed` (SPDX ids, or `ID WITH EXCEPTION` pairs; any case, as
    `normalized` spells them) permit what `expression` grants; never when it is no SPDX expression."""
    parsed = _parsed(expression)
    return parsed is not False and parsed is not None and \
        _permits(parsed, {normalized(key).lower() for key in allowed})


def allow_entry_problem(entry: str) -> str | None:
    """Why `entry` is not one entry of an allow list (a licence id, or `ID WITH EXCEPTION`); None when
    it is."""
    parsed = _parsed(entry)
    if parsed is False or not isinstance(parsed, LicenseSymbol | LicenseWithExceptionSymbol):
        return (f"{entry!r} is not an SPDX licence id or `ID WITH EXCEPTION` (MIT, Apache-2.0, CC-BY-4.0, "
                "LicenseRef-<name>, GPL-2.0-only WITH Classpath-exception-2.0)")
    return None


def _parsed(expression: str) -> LicenseExpression | bool | None:
    """The expression with each key as the SPDX lists spell it (a `LicenseRef-` as written); None when
    empty; False when it is no SPDX expression."""
    try:
        _licensing().parse(expression, validate=False, strict=True)  # the grammar, and WITH's two sides
        literal = _literal().parse(expression)
    except (ExpressionError, ParseError):
        return False
    if literal is None:
        return None
    resolved = _resolved(literal)
    return False if resolved is None else resolved


def _resolved(node: LicenseExpression) -> LicenseExpression | None:
    """`node` (symbols as written) with each symbol the SPDX lists' one; None when one is not listed."""
    if isinstance(node, LicenseWithExceptionSymbol):
        licence, exception = _listed(node.license_symbol.key), _listed(node.exception_symbol.key)
        if licence is None or licence.is_exception or exception is None or not exception.is_exception:
            return None
        return LicenseWithExceptionSymbol(licence, exception)
    if isinstance(node, LicenseSymbol):
        found = _listed(node.key)
        return found if found is not None and not found.is_exception else None
    if isinstance(node, AND | OR):
        args = [_resolved(arg) for arg in node.args]
        if any(arg is None for arg in args):
            return None
        joined: LicenseExpression = (_licensing().AND if isinstance(node, AND) else _licensing().OR)(*args)
        return joined
    return None


def _listed(key: str) -> LicenseSymbol | None:
    """The symbol of the SPDX lists spelled `key` (any case; a deprecated id as the list now spells it), a
    `LicenseRef-` as written; None when neither."""
    if _REF.match(key):
        return LicenseSymbol(key)
    found = _licensing().parse(key, validate=False)
    if not isinstance(found, LicenseSymbol) or _licensing().unknown_license_keys(found):
        return None
    return found if not found.key.startswith(("LicenseRef-", "DocumentRef-")) else None


def _permits(node: LicenseExpression, allowed: set[str]) -> bool:
    if isinstance(node, LicenseWithExceptionSymbol):
        return str(node).lower() in allowed
    if isinstance(node, LicenseSymbol):
        return str(node.key).lower() in allowed
    if isinstance(node, OR):
        return any(_permits(arg, allowed) for arg in node.args)
    if isinstance(node, AND):
        return all(_permits(arg, allowed) for arg in node.args)
    return False
