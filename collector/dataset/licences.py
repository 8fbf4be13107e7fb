"""`--allow-licence MIT,Apache-2.0`: a dataset of the episodes shared under licences the team may use.

An episode's licence is what its developer signed (the consent statement's `terms.licence`, an SPDX
expression: collector/policy/spdx.py). It is kept when the list permits the expression: `A OR B` when
either is listed, `A AND B` when both are, `A WITH exception` when A is. An episode signed without a
licence, or under one the list does not permit, is a row of `rejected` (reason `licence`).
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.dataset.reasons import Rejected
from collector.errors import UsageError
from collector.policy.spdx import allowed_by, normalized, spdx_problem


@dataclass(frozen=True)
class LicenceFilter:
    allowed: frozenset[str]  # SPDX licence ids (or LicenseRef-...), as the SPDX list spells them

    def describe(self) -> list[str]:
        """As the manifest records it (a later build must give the same)."""
        return sorted(self.allowed)

    def check(self, licence: str | None) -> None:
        """Rejected("licence") unless the list permits `licence`."""
        listed = ", ".join(self.describe())
        if not licence:
            raise Rejected("licence", f"it was signed without a licence; --allow-licence wants {listed}")
        if not allowed_by(licence, self.allowed):
            raise Rejected("licence", f"it is licensed {licence}, which --allow-licence {listed} does not "
                           "permit")


def parse_licences(listed: str) -> LicenceFilter:
    """--allow-licence's comma-separated SPDX ids; UsageError naming what is wrong."""
    keys = [part.strip() for part in listed.split(",") if part.strip()]
    if not keys:
        raise UsageError("--allow-licence: give SPDX licence ids separated by commas (MIT,Apache-2.0)")
    for key in keys:
        problem = spdx_problem(key)
        if problem is not None or " " in key:
            raise UsageError(f"--allow-licence: {key!r} is not an SPDX licence id (MIT, Apache-2.0, "
                             "CC-BY-4.0, LicenseRef-<name>)")
    return LicenceFilter(frozenset(normalized(key) for key in keys))
