"""`--trust-issuer ISSUER.pub` and `--min-contributors K`: the unlinkable episodes a build accepts, and when.

An episode signed in unlinkable mode names no contributor: its key is its own, and the issuer's blind
signature on that key (`reviewer.authorisation`) says an enrolled member signed it. With --trust-issuer, a
build accepts such an episode when that authorisation verifies under the record's key for its month
(collector/consent/authorisation.py); anything else that --trust does not admit is `unauthorised` (an unknown
issuer or month, a forged or altered authorisation, a contributor's own key, an unenrolled signer). A key
signs one episode: a second episode under it is `key_reused` (output/known.py).

A month's episodes are published once at least K members took authorisations under that month's key, as
the issuer's signed record counts them: below that, the episodes are held back, neither rows nor
`rejected` rows, and a later build (given a later record) checks them again. K is the anonymity set: a
receiver learns that one of at least K enrolled members consented to each episode, not which one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from collector.consent.authorisation import IssuerRecord, RecordError, load_record
from collector.consent.unlinkable import authorisation_problem
from collector.dataset.check.reasons import Rejected
from collector.errors import UsageError
from schemas.consent import ConsentStatement

DEFAULT_MIN_CONTRIBUTORS = 5


@dataclass(frozen=True)
class IssuerTrust:
    """The issuer whose authorisations a build accepts (its record, checked) and the anonymity set K."""

    record: IssuerRecord
    min_contributors: int = DEFAULT_MIN_CONTRIBUTORS

    @property
    def issuer(self) -> str:
        return self.record.issuer

    def check(self, statement: ConsentStatement) -> str:
        """The month of `statement`'s authorisation, when it verifies; else Rejected `unauthorised`."""
        authorisation = statement.reviewer.authorisation
        problem = authorisation_problem(statement, self.record)
        if authorisation is None or problem is not None:
            raise Rejected("unauthorised", f"key {statement.reviewer.key_id}: {problem}")
        return authorisation.epoch

    def held(self, epoch: str) -> str | None:
        """Why episodes authorised for `epoch` are held back (too few members that month), or None."""
        members = self.record.months[epoch].members
        if members >= self.min_contributors:
            return None
        return (f"{epoch}: {members} member{'s' * (members != 1)} took authorisations, fewer than "
                f"--min-contributors {self.min_contributors}")


def parse_issuer(path: Path, min_contributors: int = DEFAULT_MIN_CONTRIBUTORS) -> IssuerTrust:
    """The issuer record in `path`, its signature checked; UsageError naming what is wrong."""
    if min_contributors < 1:
        raise UsageError(f"--min-contributors is at least 1, not {min_contributors}")
    try:
        return IssuerTrust(load_record(path), min_contributors)
    except RecordError as exc:
        raise UsageError(f"--trust-issuer: {exc}") from None
