"""A revocation written through the relay: the record goes where it can, and an unfinished multipart upload
left by an earlier direct upload, which the gateway cannot abort, is named as not abandoned (and no
longer kept), never silently dropped. Nothing here connects: the relay's store aborts without a request,
and the record's one destination is a directory."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from collector.home import Home
from collector.ohttp.keys import new_key
from collector.upload.destinations import parse_destination, revocation_key
from collector.upload.receipts import (
    Delivery,
    Pending,
    Receipt,
    Revoked,
    read_receipt,
    revocation_path,
    write_receipt,
)
from collector.upload.relay import RelayStore, Route, opener
from collector.upload.revocation import write_revocation
from schemas.config import UploadSettings

SHA = "ab" * 32
AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_an_upload_the_gateway_cannot_abort_is_named_and_the_record_still_goes(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    settings = UploadSettings(allow_insecure=True)
    bucket = parse_destination("s3://drop/team", settings)
    folder = parse_destination((tmp_path / "copy").as_uri(), settings)
    (tmp_path / "copy").mkdir()
    through = RelayStore(bucket, Route("http://127.0.0.3:9/gateway", new_key().config, 1.0))
    eid = uuid.UUID(int=11, version=4)
    receipt = Receipt(episode_id=eid, sha256=SHA, bytes=10, signer_key_id="k",
                      deliveries=(Delivery(destination=folder.ref(), key=f"episodes/{SHA}.ctape",
                                           manifest_key=f"episodes/{SHA}.json", uploaded_at=AT,
                                           sent_bytes=10),),
                      pending=(Pending(destination=bucket.ref(), key=f"team/episodes/{SHA}.ctape",
                                       upload_id="u-1", part_size=8 << 20, started_at=AT),),
                      revoked=Revoked(revoked_at=AT))
    write_receipt(home, receipt)
    revocation_path(home, eid).write_bytes(b'{"a record": true}')
    done = write_revocation(home, str(eid), opener=opener(through, settings))
    assert done is not None and done.failed == ()
    assert len(done.not_abandoned) == 1 and "s3://drop/team" in done.not_abandoned[0]
    assert "AbortIncompleteMultipartUpload" in done.not_abandoned[0]
    assert (tmp_path / "copy" / revocation_key(SHA)).read_bytes() == b'{"a record": true}'
    kept = read_receipt(home, eid)
    assert kept is not None and kept.pending == ()
