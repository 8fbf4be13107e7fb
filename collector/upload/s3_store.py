"""An `s3://BUCKET/PREFIX` destination through boto3: AWS S3 or any S3-compatible store.

Credentials, region and endpoint come from the standard AWS configuration (environment, shared files,
`[upload] profile`), or `[upload] endpoint_url`. Retries are botocore's own (`[upload] retry_mode`,
`max_attempts`: standard or adaptive mode, exponential backoff with jitter), and so are the timeouts
(`connect_timeout_s`, `read_timeout_s`): a store that does not answer is given up on in a bounded time,
and said to be waited for meanwhile (patience.py). Every object is written with
`If-None-Match: *`, so nothing is ever overwritten, and with its SHA-256 (`ChecksumSHA256`), so the store
refuses bytes that differ from what was hashed here. Files larger than one part go in parts; the upload id
is handed to `started` (the receipt keeps it), and a rerun lists the parts already stored and sends only
the others. A receiver lists and reads the objects back (`Readable`), a page of keys at a time.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import boto3
import botocore.exceptions
import botocore.session
from botocore.config import Config
from botocore.handlers import add_retry_headers

from collector.safe_urls import safe_text
from collector.upload.destinations import EPISODE_TYPE, Destination, Resume, Sent, check_endpoint, copy_hashed
from collector.upload.errors import DestinationError, TransferFailed, Unreachable
from collector.upload.patience import Patience, client_options

MIB = 1024 * 1024
MAX_PARTS = 10_000
_MD5_ETAG = re.compile(r'^"?([0-9a-f]{32})"?$')
_MISSING = {"404", "NoSuchKey", "NotFound"}
# the whole User-Agent of every request: botocore's own names its version, Python's, the OS's and its
# kernel's, and the retry settings; the same for every contributor (and no `amz-sdk-request` header, which
# would carry the configured `max_attempts`)
USER_AGENT = "codetape"


def _quiet_session() -> botocore.session.Session:
    """A botocore session that adds nothing of its own to the User-Agent (boto3 appends botocore's version
    to a session still named `Botocore`)."""
    session = botocore.session.Session()
    session.user_agent_name, session.user_agent_version, session.user_agent_extra = "codetape", "", ""
    return session


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


class S3Store:
    """A bucket (and prefix) taking episodes; `waiting` hears one line when a request waits too long."""

    def __init__(self, destination: Destination, *, waiting: Callable[[str], None] | None = None) -> None:
        upload = destination.settings
        self.bucket, self.prefix = destination.bucket, destination.prefix
        self.part_size = upload.part_size_mib * MIB
        config = Config(**client_options(upload), max_pool_connections=2 * upload.concurrency + 2,
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required",
                        user_agent=USER_AGENT, user_agent_extra="")
        try:
            self.session = boto3.session.Session(botocore_session=_quiet_session(),
                                                 profile_name=upload.profile, region_name=upload.region)
            self.client: Any = self.session.client("s3", endpoint_url=upload.endpoint_url, config=config)
            self.client.meta.events.unregister("request-created", add_retry_headers)
        except botocore.exceptions.ProfileNotFound:
            raise DestinationError(f"AWS profile {upload.profile!r} is not in the AWS "
                                   "configuration") from None
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            raise DestinationError(f"cannot set up S3 for {destination.url}: {safe_text(str(exc))}") from None
        endpoint = str(self.client.meta.endpoint_url)
        check_endpoint(endpoint, upload.allow_insecure)  # also when it came from the AWS configuration
        self.ref = destination.ref(endpoint)
        self.patience = Patience(endpoint, upload, waiting)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _call(self, operation: str, **params: Any) -> Any:
        """One request (botocore retries it); TransferFailed saying what went wrong, in one line."""
        try:
            with self.patience.watching():
                return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except botocore.exceptions.ClientError as exc:
            raise _refused(exc, operation) from None
        except (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError):
            raise TransferFailed("no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                                 "AWS_PROFILE, or [upload] profile)") from None
        except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError) as exc:
            raise self._unreachable(exc) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise TransferFailed(f"{operation} failed: {exc}") from None

    def _unreachable(self, exc: Exception) -> Unreachable:
        """The store out of reach after every attempt: no connection, no answer, or the connection lost."""
        where, upload, tries = self.ref.endpoint, self.patience.upload, self.patience.attempts
        if isinstance(exc, botocore.exceptions.ConnectTimeoutError):
            return Unreachable(f"no connection to {where} within {upload.connect_timeout_s} s ({tries})")
        if isinstance(exc, botocore.exceptions.ReadTimeoutError):
            return Unreachable(f"no answer from {where} within {upload.read_timeout_s} s ({tries})")
        if isinstance(exc, botocore.exceptions.EndpointConnectionError):
            return Unreachable(f"cannot reach {where} (no connection, after {tries})")
        return Unreachable(f"lost the connection to {where} ({type(exc).__name__}, after {tries})")

    def size_of(self, key: str) -> int | None:
        try:
            head = self._call("head_object", Key=self._key(key))
        except _Missing:
            return None
        return int(head["ContentLength"])

    def put_bytes(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        return self.put_checked(key, data, _b64(hashlib.sha256(data).digest()), replace=replace,
                                content_type="application/json")

    def put_checked(self, key: str, data: bytes, checksum: str, *, replace: bool, content_type: str) -> bool:
        """Store `data` at `key`, the store checking it against `checksum` (SHA-256, base64) as it takes
        it: False when an object was there (without `replace`), else True."""
        unless = {} if replace else {"IfNoneMatch": "*"}
        try:
            self._call("put_object", Key=self._key(key), Body=data, **unless, ChecksumSHA256=checksum,
                       ContentType=content_type)
        except _Exists:
            return False
        return True

    def send(self, key: str, path: Path, sha256: str, size: int, *, resume: Resume | None,
             started: Callable[[Resume], None], progress: Callable[[int], None]) -> Sent:
        part_size = max(self.part_size, -(-size // MAX_PARTS // MIB) * MIB)
        try:
            with open(path, "rb") as source:
                if size <= part_size:
                    return self._send_whole(key, source, sha256, progress)
                return self._send_parts(key, source, sha256, part_size, resume, started, progress)
        except OSError as exc:
            raise TransferFailed(f"cannot read {path}: {exc.strerror}") from None

    def _send_whole(self, key: str, source: BinaryIO, sha256: str, progress: Callable[[int], None]) -> Sent:
        data = source.read()
        digest = hashlib.sha256(data).digest()
        if digest.hex() != sha256:
            raise TransferFailed(f"{source.name} changed since it was checked; nothing was sent")
        try:
            self._call("put_object", Key=self._key(key), Body=data, IfNoneMatch="*",
                       ChecksumSHA256=_b64(digest), ContentType=EPISODE_TYPE)
        except _Exists:
            return Sent(0, already_there=True)
        progress(len(data))
        return Sent(len(data))

    def _send_parts(self, key: str, source: BinaryIO, sha256: str, part_size: int, resume: Resume | None,
                    started: Callable[[Resume], None], progress: Callable[[int], None]) -> Sent:
        stored: dict[int, tuple[int, str]] = {}
        if resume is not None and resume.part_size == part_size:
            try:
                stored = dict(self._stored_parts(key, resume.upload_id))
            except _Gone:
                resume = None
        else:
            resume = None
        if resume is None:
            created = self._call("create_multipart_upload", Key=self._key(key), ChecksumAlgorithm="SHA256",
                                 ContentType=EPISODE_TYPE)
            resume = Resume(str(created["UploadId"]), part_size)
            started(resume)
        whole, parts, digests = hashlib.sha256(), [], []
        sent = reused = 0
        for number, chunk in enumerate(iter(lambda: source.read(part_size), b""), start=1):
            whole.update(chunk)
            digest = hashlib.sha256(chunk).digest()
            digests.append(digest)
            etag = _reusable(stored.get(number), chunk)
            if etag is None:
                answer = self._call("upload_part", Key=self._key(key), UploadId=resume.upload_id,
                                    PartNumber=number, Body=chunk, ChecksumSHA256=_b64(digest))
                etag = str(answer["ETag"])
                sent += len(chunk)
            else:
                reused += 1
            progress(len(chunk))
            parts.append({"PartNumber": number, "ETag": etag, "ChecksumSHA256": _b64(digest)})
        if whole.hexdigest() != sha256:
            self.abort(key, resume)
            raise TransferFailed(f"{source.name} changed since it was checked; the upload was abandoned")
        try:
            done = self._call("complete_multipart_upload", Key=self._key(key), UploadId=resume.upload_id,
                              MultipartUpload={"Parts": parts}, IfNoneMatch="*")
        except _Exists:
            self.abort(key, resume)
            return Sent(sent, reused, already_there=True)
        expected = f"{_b64(hashlib.sha256(b''.join(digests)).digest())}-{len(parts)}"
        checksum = done.get("ChecksumSHA256")
        if checksum is not None and checksum != expected:
            raise TransferFailed(f"the store's checksum of {self.location(key)} is {checksum}, expected "
                                 f"{expected}: it does not hold what was sent")
        return Sent(sent, reused)

    def _stored_parts(self, key: str, upload_id: str) -> Iterator[tuple[int, tuple[int, str]]]:
        marker = 0
        while True:
            page = self._call("list_parts", Key=self._key(key), UploadId=upload_id, PartNumberMarker=marker)
            for part in page.get("Parts", []):
                yield int(part["PartNumber"]), (int(part["Size"]), str(part["ETag"]))
            if not page.get("IsTruncated"):
                return
            marker = int(page["NextPartNumberMarker"])

    def abort(self, key: str, resume: Resume) -> None:
        # best effort: a store's lifecycle rules clear unfinished uploads too; nothing depends on it
        with contextlib.suppress(TransferFailed):
            self._call("abort_multipart_upload", Key=self._key(key), UploadId=resume.upload_id)


    def listing(self, under: str) -> Iterator[tuple[str, int]]:
        start = len(self._key(""))
        token: dict[str, str] = {}
        while True:
            page = self._call("list_objects_v2", Prefix=self._key(under), **token)
            for item in page.get("Contents", []):
                key = str(item["Key"])[start:]
                if not key.rsplit("/", 1)[-1].startswith("."):
                    yield key, int(item["Size"])
            if not page.get("IsTruncated"):
                return
            token = {"ContinuationToken": str(page["NextContinuationToken"])}

    def read_bytes(self, key: str, limit: int) -> bytes | None:
        try:
            body = self._call("get_object", Key=self._key(key))["Body"]
        except _Missing:
            return None
        with contextlib.closing(body):
            data = bytes(self._read(body, limit + 1, key))
        if len(data) > limit:
            raise TransferFailed(f"{self.location(key)} is larger than {limit} bytes")
        return data

    def fetch(self, key: str, target: Path, limit: int) -> tuple[str, int]:
        try:
            body = self._call("get_object", Key=self._key(key))["Body"]
        except _Missing:
            raise TransferFailed(f"{self.location(key)} is gone (listed, then not found)") from None
        with contextlib.closing(body):
            return copy_hashed(iter(lambda: self._read(body, MIB, key), b""), target, limit,
                               self.location(key))

    def _read(self, body: Any, size: int, key: str) -> bytes:
        """Up to `size` bytes of a response body; Unreachable when the connection drops in the middle."""
        try:
            return bytes(body.read(size))
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            raise Unreachable(f"lost the connection to {self.ref.endpoint} while reading "
                              f"{self.location(key)} ({type(exc).__name__})") from None


def _reusable(stored: tuple[int, str] | None, chunk: bytes) -> str | None:
    """The ETag of a part already stored with these bytes (same size; same MD5 when the ETag is one)."""
    if stored is None or stored[0] != len(chunk):
        return None
    etag = stored[1]
    plain = _MD5_ETAG.match(etag)
    if plain is not None and plain.group(1) != hashlib.md5(chunk, usedforsecurity=False).hexdigest():
        return None
    return etag


class _Missing(TransferFailed):
    """No such object (HEAD 404)."""


class _Exists(TransferFailed):
    """`If-None-Match: *` failed: the object is already there."""


class _Gone(TransferFailed):
    """The multipart upload is no longer known to the store."""


def _refused(exc: botocore.exceptions.ClientError, operation: str) -> TransferFailed:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "?"))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in _MISSING or (operation == "head_object" and status == 404):
        return _Missing(f"{operation}: not found")
    if code == "PreconditionFailed" or status == 412:
        return _Exists(f"{operation}: already there")
    if code == "NoSuchUpload":
        return _Gone(f"{operation}: the unfinished upload is gone")
    message = " ".join(str(error.get("Message", "")).split())[:300]
    return TransferFailed(f"the store refused {operation}: {code}" + (f": {message}" if message else ""))
