"""The licence an episode was signed under, checked by the build itself, and `--allow-licence
MIT,Apache-2.0`: a dataset of the episodes shared under licences the team may use.

An episode's licence is what its developer signed (the consent statement's `terms.licence`, an SPDX
expression: collector/policy/spdx.py). The signer's codetape checks it before signing, but a build does
not take the signer's word: a signed licence that is not an SPDX expression (a licence id not on the SPDX
licence list and no `LicenseRef-`, an exception after `WITH` not on the SPDX exceptions list) is a row of
`rejected` (reason `licence`), with or without `--allow-licence`.

With `--allow-licence`, an episode is kept when the list permits its expression: `A OR B` when either is
listed, `A AND B` when both are, `A WITH exception` only when the list names that pair
(`--allow-licence "GPL-2.0-only WITH Classpath-exception-2.0"`): an exception changes the terms, so the
bare `A` does not permit it. An episode signed without a licence, or under one the list does not permit,
is a row of `rejected` (reason `licence`).
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.dataset.check.reasons import Rejected
from collector.errors import UsageError
from collector.policy.spdx import allow_entry_problem, allowed_by, normalized, spdx_problem


def check_signed_licence(licence: str | None) -> None:
    """Rejected("licence") when the licence signed is given and is no SPDX expression."""
    if licence and spdx_problem(licence) is not None:
        raise Rejected("licence", f"it is licensed {licence!r}, which is not an SPDX expression (every "
                       "licence id on the SPDX licence list or a LicenseRef-, every WITH exception on the "
                       "SPDX exceptions list)")


@dataclass(frozen=True)
class LicenceFilter:
    allowed: frozenset[str]  # SPDX licence ids (or LicenseRef-...) and `ID WITH EXCEPTION` pairs, normalized

    def describe(self) -> list[str]:
        """As the manifest records it (a later build must give the same)."""
        return sorted(self.allowed)

    def check(self, licence: str | None) -> None:
        """Rejected("licence") unless the list permits `licence`."""
        listed = ", ".join(self.describe())
        if not licence:
            raise Rejected("licence", f"it was signed without a licence; --allow-licence wants {listed}")
        check_signed_licence(licence)
        if not allowed_by(licence, self.allowed):
            raise Rejected("licence", f"it is licensed {licence}, which --allow-licence {listed} does not "
                           "permit")


def parse_licences(listed: str) -> LicenceFilter:
    """--allow-licence's comma-separated SPDX ids (or `ID WITH EXCEPTION`); UsageError naming what is
    wrong."""
    keys = [part.strip() for part in listed.split(",") if part.strip()]
    if not keys:
        raise UsageError("--allow-licence: give SPDX licence ids separated by commas (MIT,Apache-2.0)")
    for key in keys:
        problem = allow_entry_problem(key)
        if problem is not None:
            raise UsageError(f"--allow-licence: {problem}")
    return LicenceFilter(frozenset(normalized(key) for key in keys))
