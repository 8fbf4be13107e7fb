"""What became of a signed episode, for `codetape episodes`: its receipt read without the receipt models when
the receipt is plainly well formed.

A listing reads a receipt per episode and need not import msgspec and the receipt models (`receipts.py`).
A receipt whose every field has the exact type `Receipt` declares, its times in UTC as codetape writes
them, is read here; anything else goes through `Receipt`, which reads what it accepts and treats the rest
as no receipt, as every other command does (tests/unit/upload/test_fate.py keeps the two in step).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from collector.episode.shown import PLAIN_UUID, plain_utc
from collector.home import Home
from collector.upload.receipt_file import read_bounded, receipt_path

if TYPE_CHECKING:
    from collector.upload.receipts import Receipt

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Delivered:
    destination: str  # as `DestinationRef.describe` says it
    at: datetime
    key: str


@dataclass(frozen=True)
class Fate:
    """Where the episode went and whether it was revoked: what a listing shows of its receipt."""

    deliveries: tuple[Delivered, ...] = ()
    revoked_at: datetime | None = None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "uploaded" if self.deliveries else "signed"

    @classmethod
    def of(cls, receipt: Receipt) -> Fate:
        deliveries = tuple(Delivered(d.destination.describe(), d.uploaded_at, d.key)
                           for d in receipt.deliveries)
        return cls(deliveries, None if receipt.revoked is None else receipt.revoked.revoked_at)


def read_fate(home: Home, episode_id: str) -> Fate | None:
    """The fate the episode's receipt records; None without one (a damaged receipt reads as none)."""
    data = read_bounded(receipt_path(home, episode_id))
    if data is None:
        return None
    plain = _plain(data)
    if plain is not None:
        return plain
    # the receipt model only for a fate file the plain check does not take
    from collector.upload.receipts import read_receipt

    receipt = read_receipt(home, episode_id)
    return None if receipt is None else Fate.of(receipt)


def _plain(data: bytes) -> Fate | None:
    try:
        receipt = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not _fields(receipt, _RECEIPT, {"episode_id", "sha256", "bytes", "signer_key_id"}):
        return None
    revoked = receipt.get("revoked")
    deliveries = tuple(Delivered(_describe(d["destination"]), _utc(d["uploaded_at"]), d["key"])
                       for d in receipt.get("deliveries", []))
    return Fate(deliveries, None if revoked is None else _utc(revoked["revoked_at"]))


def _describe(ref: dict[str, Any]) -> str:
    endpoint = ref.get("endpoint")
    return str(ref["url"]) if endpoint is None else f"{ref['url']} via {endpoint}"


def _utc(text: str) -> datetime:
    moment = plain_utc(text)
    assert moment is not None  # checked by _is_utc
    return moment


def _is_utc(value: Any) -> bool:
    return plain_utc(value) is not None


def _fields(value: Any, checks: dict[str, Check], required: set[str]) -> bool:
    """`value` is a dict holding the `required` keys, no key without a check, each value passing its own."""
    return (isinstance(value, dict) and required <= value.keys() and value.keys() <= checks.keys()
            and all(checks[key](item) for key, item in value.items()))


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _number(value: Any) -> bool:
    return type(value) is int


def _optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _each(check: Check) -> Check:
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


_REF: dict[str, Check] = {
    "url": _text, "endpoint_url": _optional_text, "endpoint": _optional_text, "region": _optional_text,
    "profile": _optional_text, "allow_insecure": lambda value: type(value) is bool}


def _ref(value: Any) -> bool:
    return _fields(value, _REF, {"url"})


_DELIVERY: dict[str, Check] = {"destination": _ref, "key": _text, "manifest_key": _text,
                               "uploaded_at": _is_utc, "sent_bytes": _number}
_PENDING: dict[str, Check] = {"destination": _ref, "key": _text, "upload_id": _text, "part_size": _number,
                              "started_at": _is_utc}
_REVOKED: dict[str, Check] = {"revoked_at": _is_utc, "written_to": _each(_ref)}
_RECEIPT: dict[str, Check] = {
    "episode_id": lambda value: isinstance(value, str) and PLAIN_UUID.match(value) is not None,
    "sha256": _text, "bytes": _number, "signer_key_id": _text,
    "deliveries": _each(lambda value: _fields(value, _DELIVERY, set(_DELIVERY))),
    "pending": _each(lambda value: _fields(value, _PENDING, set(_PENDING))),
    "revoked": lambda value: value is None or _fields(value, _REVOKED, {"revoked_at"}),
}
