"""Retention and the purge report without a build: an episode is expired the day after its date; a purge's
record names the files that held each episode's rows (shared blob files marked) and the earlier snapshots
that named one; a purge report verifies under the receiver's key, and not once changed or under another."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from collector.consent.keys import KeyInfo, key_id
from collector.dataset.check.expiry import expiry
from collector.dataset.check.reasons import Rejected
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import open_output
from collector.dataset.output.purge_report import ReportInvalid, report_body, sign_report, verify_report
from collector.dataset.output.retention import purge_records
from collector.dataset.output.snapshots import FileEntry, Snapshot
from collector.dataset.output.withdraw import Removal, Withdrawn
from schemas.config import UploadSettings

WHEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
Signed = tuple[bytes, bytes, Ed25519PrivateKey]
E1 = "steps/month=2026-05/part-b00001-w0-0001.parquet"
E2 = "episodes/month=2026-05/part-b00001-w0-0001.parquet"
OTHER = "steps/month=2026-06/part-b00002-w0-0001.parquet"
BLOB = "blobs/part-b00001-w0-0001.parquet"


def test_an_episode_is_expired_the_day_after_its_date() -> None:
    assert expiry(None, date(2030, 1, 1)) is None
    assert expiry(date(2026, 11, 25), date(2026, 11, 25)) is None
    refused = expiry(date(2026, 11, 25), date(2026, 11, 26))
    assert refused is not None and refused.reason == "expired"
    assert refused.detail == ("retained until 2026-11-25, it expired on 2026-11-26 (this build is as of "
                              "2026-11-26)")


def snapshot(number: int, steps: list[str], exports: dict[str, int] | None = None) -> Snapshot:
    return Snapshot(build=number, engine="local", codetape_version="0", started_at=WHEN, finished_at=WHEN,
                    tables={"steps": {path: FileEntry(rows=1, bytes=1) for path in steps}},
                    exports={"atif": exports or {}})


def test_a_purge_record_names_each_episodes_files_and_the_snapshots_that_held_them() -> None:
    gone = Withdrawn("a" * 64, "episodes/a.ctape", "e1", "k1", Rejected("expired", "past"))
    other = Withdrawn("b" * 64, "episodes/b.ctape", "e2", "k2", Rejected("revoked", "revoked by k2"))
    removal = Removal([gone, other])
    removal.replaced = {("steps", E1): ("steps/month=2026-05/part-b00003-x0001.parquet", 3),
                        ("episodes", E2): None, ("steps", OTHER): None, ("blobs", BLOB): None}
    removal.held = {("steps", E1): {("e1", "k1")}, ("episodes", E2): {("e1", "k1")},
                    ("steps", OTHER): {("e2", "k2")}}
    earlier = [snapshot(1, [E1], {"exports/atif/k1/e1.atif.json": 5}), snapshot(2, [OTHER])]
    records = purge_records(3, WHEN, removal, ["exports/atif/k1/e1.atif.json"], earlier)
    first, second = records
    assert (first.episode_id, first.reason, first.build, first.snapshots) == ("e1", "expired", 3, [1])
    assert [(f.table, f.path, f.replaced_by, f.shared) for f in first.files] == [
        ("episodes", E2, None, False),
        ("steps", E1, "steps/month=2026-05/part-b00003-x0001.parquet", False),
        ("exports", "exports/atif/k1/e1.atif.json", None, False),
        ("blobs", BLOB, None, True)]
    assert (second.reason, second.snapshots) == ("revoked", [2])
    assert [f.path for f in second.files] == [OTHER, BLOB]


@pytest.fixture
def signed(tmp_path: Path) -> Signed:
    """A report of a dataset that purged nothing yet, signed; the receiver's public key."""
    out = open_output(str(tmp_path / "out"), UploadSettings())
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = report_body(out, DatasetManifest(source="file:///src"), WHEN, KeyInfo(public, key_id(public)))
    assert body["episodes"] == [] and body["receiver"]["key_id"] == key_id(public)
    return sign_report(body, private), public, private


def test_a_report_verifies_under_its_receivers_key_only(signed: Signed) -> None:
    data, public, _private = signed
    assert verify_report(data, public)["made_at"] == "2026-11-25T05:00:00Z"
    changed = data.replace(b'"builds": 0', b'"builds": 1')
    assert changed != data
    with pytest.raises(ReportInvalid, match="the signature does not verify"):
        verify_report(changed, public)
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(ReportInvalid, match="signed by receiver key"):
        verify_report(data, other)
    for bad in (b"\xff", b"[]", json.dumps({"format": "codetape-purge-report/v1"}).encode()):
        with pytest.raises(ReportInvalid):
            verify_report(bad, public)


def test_a_report_whose_named_key_is_swapped_does_not_verify(signed: Signed) -> None:
    """A body claiming another receiver, re-signed by nobody: the claimed key's check fails."""
    data, _public, _private = signed
    document = json.loads(data)
    other = Ed25519PrivateKey.generate()
    raw = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    document["body"]["receiver"]["public_key"] = KeyInfo(raw, key_id(raw)).public_b64
    with pytest.raises(ReportInvalid, match="signature does not verify"):
        verify_report(json.dumps(document).encode(), raw)
