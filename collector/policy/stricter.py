"""The stricter of two `.codetape.toml` contents: what applies when the file on disk is not the content the
user accepted (collector/policy/effective.py), defined here per field, once.

    channels, [redaction] allow, [tests] junit    only what both list (a file cannot add one)
    [policy] allowed_licences                    only what both allow (a list beats "any licence")
    exclude, [policy] mandatory_exclude          what either lists (a file cannot drop one)
    max_file_bytes                               the smaller cap
    [policy] retain_until                        the earlier date (a date beats "no date")
    snapshot                                     the one that records less ("none" before "tracked")
    idle_timeout_s, [policy] purpose, licence    the file's own: when an episode ends, and the terms the
                                                 review shows before you sign, record nothing more

`loosened` says, one line per field, what the current content would loosen beyond the accepted one: what
the stricter merge holds back until the user accepts it (`codetape trust`). `tightens` names the fields in
which new settings record less than those an open episode records under: what applies at once
(collector/daemon/session.py), as `stricter(new, in_force)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from schemas.settings import SNAPSHOTS, WorkspaceSettings


@dataclass(frozen=True)
class Rule:
    """How one field of the two contents combines, and how to say what the current one loosens."""

    merge: Callable[[Any, Any], Any]  # (accepted, current) -> what applies
    loosens: Callable[[str, Any, Any], str]  # (label, accepted, current) -> one line, when merge != current


def _listed(values: Any) -> str:
    return ", ".join(f'"{value}"' for value in values)


def _both_list(accepted: list[Any], current: list[Any]) -> list[Any]:
    return [value for value in current if value in accepted]


def _either_lists(accepted: list[Any], current: list[Any]) -> list[Any]:
    return [*current, *(value for value in accepted if value not in current)]


def _both_allow(accepted: list[str] | None, current: list[str] | None) -> list[str] | None:
    if accepted is None or current is None:
        return current if accepted is None else accepted
    return _both_list(accepted, current)


def _adds(label: str, accepted: list[Any], current: list[Any]) -> str:
    return f"{label}: adds {_listed(value for value in current if value not in accepted)}"


def _drops(label: str, accepted: list[Any], current: list[Any]) -> str:
    return f"{label}: drops {_listed(value for value in accepted if value not in current)}"


def _allows_more(label: str, accepted: list[str] | None, current: list[str] | None) -> str:
    if current is None:
        return f"{label}: any licence instead of {_listed(accepted or [])}"
    return _adds(label, accepted or [], current)


def _raises(label: str, accepted: Any, current: Any) -> str:
    return f"{label}: {accepted} -> {current}"


def _earlier(accepted: Any, current: Any) -> Any:
    """The earlier of two dates, where None is no date (keep for ever)."""
    if accepted is None or current is None:
        return current if accepted is None else accepted
    return min(accepted, current)


ONLY_BOTH = Rule(_both_list, _adds)
EITHER = Rule(_either_lists, _drops)
BOTH_ALLOW = Rule(_both_allow, _allows_more)
SMALLER = Rule(min, _raises)
FEWER_SNAPSHOT = Rule(lambda accepted, current: min(accepted, current, key=SNAPSHOTS.index), _raises)
CURRENT = Rule(lambda accepted, current: current, _raises)
EARLIER = Rule(_earlier, _raises)

RULES: dict[str, Rule] = {
    "channels": ONLY_BOTH,
    "exclude": EITHER,
    "idle_timeout_s": CURRENT,
    "max_file_bytes": SMALLER,
    "snapshot": FEWER_SNAPSHOT,
    "policy.purpose": CURRENT,
    "policy.licence": CURRENT,
    "policy.allowed_licences": BOTH_ALLOW,
    "policy.mandatory_exclude": EITHER,
    "policy.retain_until": EARLIER,
    "redaction.allow": ONLY_BOTH,
    "tests.junit": ONLY_BOTH,
}
"""Every leaf field of WorkspaceSettings, dotted (tests/unit/policy/test_stricter.py checks that none
is missing)."""


def _label(path: str) -> str:
    table, _, key = path.rpartition(".")
    return f"[{table}] {key}" if table else key


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *tables, key = path.split(".")
    for part in tables:
        data = data[part]
    data[key] = value


def as_fields(settings: WorkspaceSettings) -> dict[str, Any]:
    """The settings as plain data, dates kept as dates (what `from_fields` reads back)."""
    data: dict[str, Any] = msgspec.to_builtins(settings, builtin_types=(date,))
    return data


def from_fields(data: dict[str, Any]) -> WorkspaceSettings:
    """Plain data (`as_fields`, changed) validated as settings."""
    return msgspec.convert(data, WorkspaceSettings, builtin_types=(date,))


def stricter(accepted: WorkspaceSettings, current: WorkspaceSettings) -> WorkspaceSettings:
    """The settings that apply: each field as RULES combines the accepted and the current content."""
    mine, theirs = as_fields(accepted), as_fields(current)
    merged = as_fields(current)
    for path, rule in RULES.items():
        _set(merged, path, rule.merge(_get(mine, path), _get(theirs, path)))
    return from_fields(merged)


def loosened(accepted: WorkspaceSettings, current: WorkspaceSettings) -> list[str]:
    """What `current` loosens beyond `accepted`, one line per field (empty: it loosens nothing)."""
    mine, theirs = as_fields(accepted), as_fields(current)
    lines = []
    for path, rule in RULES.items():
        before, after = _get(mine, path), _get(theirs, path)
        if rule.merge(before, after) != after:
            lines.append(rule.loosens(_label(path), before, after))
    return lines


def tightens(in_force: WorkspaceSettings, new: WorkspaceSettings) -> list[str]:
    """The fields (labelled as `loosened` labels them) in which `new` records or lets through less than
    `in_force`: those `stricter(new, in_force)` changes (the fields that record nothing more never do)."""
    mine, theirs = as_fields(new), as_fields(in_force)
    return [_label(path) for path, rule in RULES.items()
            if rule.merge(_get(mine, path), _get(theirs, path)) != _get(theirs, path)]
