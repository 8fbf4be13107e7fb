"""`codetape episodes` reads a receipt without pydantic when it is plainly well formed
(collector/upload/fate.py): the same fate the `Receipt` model gives, and anything else through the model
(issue 14)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec.structs import replace

from collector.home import Home
from collector.upload.fate import Fate, _plain, read_fate
from collector.upload.receipt_file import receipt_path
from collector.upload.receipts import Delivery, Pending, Receipt, Revoked, read_receipt, write_receipt
from collector.upload.ref import DestinationRef

EID = uuid.UUID("d2a9c3f4-5e6b-4a7c-8d9e-0f1a2b3c4d5e")
AT = datetime(2026, 11, 22, 21, 18, 36, 12377, tzinfo=UTC)
FILE = DestinationRef(url="file:///srv/ct")
S3 = DestinationRef(url="s3://bucket/team", endpoint_url="http://127.0.0.1:9000",
                    endpoint="http://127.0.0.1:9000", region="us-east-1", profile="p", allow_insecure=True)


def receipts() -> dict[str, Receipt]:
    bare = Receipt(episode_id=EID, sha256="a" * 64, bytes=1900, signer_key_id="2174d6d047465286")
    delivered = bare.with_delivery(Delivery(destination=FILE, key="/srv/ct/episodes/a.ctape",
                                            manifest_key="/srv/ct/episodes/a.json", uploaded_at=AT,
                                            sent_bytes=1900))
    both = delivered.with_delivery(Delivery(destination=S3, key="team/episodes/a.ctape",
                                            manifest_key="team/episodes/a.json", uploaded_at=AT,
                                            sent_bytes=0))
    pending = both.with_pending(Pending(destination=S3, key="k", upload_id="u1", part_size=8 << 20,
                                        started_at=AT + timedelta(seconds=1)))
    revoked = replace(pending, revoked=Revoked(revoked_at=AT, written_to=(FILE, S3)))
    return {"none yet": bare, "file": delivered, "file and s3": both, "pending": pending, "revoked": revoked}


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


@pytest.mark.parametrize("name", list(receipts()))
def test_written_receipts_read_plainly_as_the_model_reads_them(home: Home, name: str) -> None:
    receipt = receipts()[name]
    write_receipt(home, receipt)
    assert _plain(receipt_path(home, EID).read_bytes()) is not None
    assert read_fate(home, str(EID)) == Fate.of(receipt)


def edited(change: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(msgspec.json.encode(receipts()["revoked"]))
    change(data)
    return data


OTHER_FORMS = {  # valid for the model, not in codetape's own form: read through the model
    "bytes as text": lambda data: data.update(bytes="1900"),
    "time with an offset": lambda data: data["deliveries"][0].update(uploaded_at="2026-11-22T23:18:36+02:00"),
    "upper-case id": lambda data: data.update(episode_id=str(EID).upper()),
    "time as seconds": lambda data: data["revoked"].update(revoked_at=1_790_000_000),
}
DAMAGED = {  # the model refuses: no receipt, as every other command reads it
    "unknown key": lambda data: data.update(extra=1),
    "delivery without key": lambda data: data["deliveries"][0].pop("key"),
    "destination not a map": lambda data: data["deliveries"][0].update(destination="file:///x"),
    "day out of range": lambda data: data["revoked"].update(revoked_at="2026-02-30T10:00:00Z"),
    "episode id not a uuid": lambda data: data.update(episode_id="nope"),
}


@pytest.mark.parametrize("name", [*OTHER_FORMS, *DAMAGED])
def test_other_forms_and_damage_go_through_the_model(home: Home, name: str) -> None:
    data = edited({**OTHER_FORMS, **DAMAGED}[name])
    home.receipts.mkdir(parents=True)
    path = receipt_path(home, EID)
    path.write_text(json.dumps(data))
    assert _plain(path.read_bytes()) is None
    model = read_receipt(home, EID)
    assert (model is None) == (name in DAMAGED)
    assert read_fate(home, str(EID)) == (None if model is None else Fate.of(model))


def test_no_receipt_and_unreadable_json_read_as_none(home: Home) -> None:
    assert read_fate(home, str(EID)) is None
    home.receipts.mkdir(parents=True)
    receipt_path(home, EID).write_text("{not json")
    assert read_fate(home, str(EID)) is None


def test_an_offset_time_reads_as_the_same_moment(home: Home) -> None:
    data = edited(OTHER_FORMS["time with an offset"])
    home.receipts.mkdir(parents=True)
    receipt_path(home, EID).write_text(json.dumps(data))
    fate = read_fate(home, str(EID))
    assert fate is not None
    assert fate.deliveries[0].at == datetime(2026, 11, 22, 23, 18, 36, tzinfo=timezone(timedelta(hours=2)))
    assert fate.state == "revoked" and fate.revoked_at == AT
