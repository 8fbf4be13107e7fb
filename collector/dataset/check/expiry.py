"""When an episode's signed `retain_until` has passed: it is expired the day after its date (UTC), judged
on a build's day or `--as-of` (output/retention.py purges the built ones, the transform refuses new ones)."""

from __future__ import annotations

from datetime import date, timedelta

from collector.dataset.check.reasons import Rejected


def expired_on(retain_until: date) -> date:
    """The first day an episode kept until `retain_until` is expired."""
    return retain_until + timedelta(days=1)


def expiry(retain_until: date | None, as_of: date) -> Rejected | None:
    """Rejected("expired") when an episode kept until `retain_until` is expired on `as_of`; else None."""
    if retain_until is None or retain_until >= as_of:
        return None
    return Rejected("expired", f"retained until {retain_until.isoformat()}, it expired on "
                    f"{expired_on(retain_until).isoformat()} (this build is as of {as_of.isoformat()})")
