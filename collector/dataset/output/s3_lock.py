"""One build at a time in an s3:// OUT: a lock object, `<prefix>/.build.lock`, made with a conditional
write (`If-None-Match: *`: the store refuses it when the object exists, atomically, however many builds on
however many machines try at once), deleted when the build ends. S3 has conditional writes since August
2024, SeaweedFS too; a store without them would take every write, and then nothing guards the OUT.

A build that crashed leaves its lock: the next one is refused, names who held it since when, and says to
delete it by hand once no build runs (no timeout decides that a build is gone: a slow one is not).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from collector.dataset.errors import OutputFailed, OutputRefused
from collector.upload.destinations import Destination
from collector.upload.s3_store import S3Store

LOCK = ".build.lock"
MAX_LOCK_BYTES = 4096


@contextlib.contextmanager
def s3_build_lock(destination: Destination, url: str) -> Iterator[None]:
    """Hold OUT's build lock for the block; OutputRefused when another build holds it."""
    client = S3Store(destination).client
    key = "/".join(part for part in (destination.prefix, LOCK) if part)
    shown = f"{url.rstrip('/')}/{LOCK}"
    holder = {"host": socket.gethostname(), "pid": os.getpid(),
              "since": datetime.now(UTC).isoformat(timespec="seconds")}
    try:
        client.put_object(Bucket=destination.bucket, Key=key, Body=json.dumps(holder).encode(),
                          IfNoneMatch="*")
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
            held = _holder(client, destination, key)
            raise OutputRefused(f"{url} is being built by another build ({held}); if none runs (one "
                                f"crashed), delete {shown} and build again") from None
        raise OutputFailed(f"cannot take {shown}: {error.get('Message') or exc}") from None
    except BotoCoreError as exc:
        raise OutputFailed(f"cannot take {shown}: {exc}") from None
    try:
        yield
    finally:
        with contextlib.suppress(ClientError, BotoCoreError):
            client.delete_object(Bucket=destination.bucket, Key=key)


def _holder(client: Any, destination: Destination, key: str) -> str:
    """Who holds the lock, as its object says: `host H, pid N, since T`, or that it cannot be read."""
    try:
        body = client.get_object(Bucket=destination.bucket, Key=key)["Body"].read(MAX_LOCK_BYTES)
        said = json.loads(body)
        return f"host {said['host']}, pid {said['pid']}, since {said['since']}"
    except (ClientError, BotoCoreError, ValueError, KeyError, TypeError):
        return "its lock object cannot be read"
