"""Unlinkable uploads through an Oblivious HTTP relay (RFC 9458): the store cannot tell which machine sent
an episode, the relay cannot read it.

With `[upload] relay` and `gateway_key` set, each request of an unlinkable upload run (the episode, its
manifest, a revocation record, and the issuer's members record every such run fetches) is a Binary HTTP
request sealed for the gateway's pinned key and POSTed to the relay as `message/ohttp-req`; the gateway
(collector/gateway/) opens it, writes the object to the store with its own credential, and answers
sealed. The relay sees this machine's address and each sealed request's size and time, never what is
in it (each padded to a size bucket, collector/ohttp/padding.py, so its size names the bucket only); the
gateway and the store see the relay's address, never this machine's. Nothing else is
contacted during such a run (the episode keys' top-ups go to the issuer directly, in runs of their own:
they name the member by credential anyway).

An object goes whole in one request, at most MAX_OBJECT bytes: signing refuses a larger unlinkable
episode while a relay is set (collector/review), so none is ever sent around the relay.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from collector.ohttp import bhttp
from collector.ohttp.descriptor import Descriptor, parse_descriptor
from collector.ohttp.encapsulation import Unsealed, seal_request
from collector.ohttp.keys import KeyConfig, KeyConfigError, parse_config_hex
from collector.ohttp.limits import MAX_OBJECT
from collector.ohttp.padding import pad
from collector.upload.destinations import Destination, Resume, Sent, Store, check_endpoint
from collector.upload.errors import DestinationError, NotAbandoned, TransferFailed, Unreachable
from collector.upload.ref import DestinationRef
from collector.upload.stores import reopen
from schemas.config import UploadSettings
from schemas.settings import RelayRequirement

MAX_ANSWER = 1024 * 1024  # a sealed answer (a refusal, or the issuer's record) is far smaller
REQUEST_TYPE = "message/ohttp-req"
RESPONSE_TYPE = "message/ohttp-res"
AUTHORITY = "gateway"  # what the sealed requests name as their target: the gateway serves them itself
PATH_RECORD = "/issuer/record"


@dataclass(frozen=True)
class Route:
    """Where sealed requests go (the relay), whom they are sealed for (the gateway's key) and, when a
    descriptor is pinned, where that gateway writes (its bucket and prefix, signed by its operator)."""

    relay: str
    key: KeyConfig
    timeout_s: float
    descriptor: Descriptor | None = None


def route(settings: UploadSettings, policy: RelayRequirement | None = None) -> Route | None:
    """The relay route `[upload]` configures, or None; DestinationError when half set or unusable. The
    gateway key is `[upload] gateway_key`, else the key of `[upload] gateway` (a descriptor, which must
    agree with it), else the managed policy's (`policy`: its `[relay] gateway_key`, else its descriptor's);
    the descriptor is `[upload] gateway`, else the policy's `[relay] gateway`."""
    if settings.relay is None and settings.gateway_key is None and settings.gateway is None:
        return None
    if settings.relay is None:
        raise DestinationError("[upload] gateway_key and gateway are the gateway's for [upload] relay: set "
                               "the relay's URL too, or neither")
    check_endpoint(settings.relay, settings.allow_insecure)
    mine = _descriptor(settings.gateway, "[upload] gateway")
    pinned = _descriptor(None if policy is None else policy.gateway, "the managed policy's [relay] gateway")
    descriptor = mine or pinned
    keys = [key for key in (_key(settings.gateway_key, "[upload] gateway_key"),
                            None if mine is None else mine.key) if key is not None]
    if len(set(keys)) > 1:
        raise DestinationError("[upload] gateway_key is not the key of [upload] gateway: set one of them")
    if not keys and policy is not None:
        keys = [key for key in (_key(policy.gateway_key, "the managed policy's [relay] gateway_key"),
                                None if pinned is None else pinned.key) if key is not None]
    if not keys:
        raise DestinationError("[upload] relay and gateway_key go together: set both (the relay's URL and "
                               "the gateway's key configuration, or its descriptor as [upload] gateway) or "
                               "neither")
    return Route(settings.relay, keys[0], float(settings.connect_timeout_s + settings.read_timeout_s),
                 descriptor)


def _key(text: str | None, where: str) -> KeyConfig | None:
    try:
        return None if text is None else parse_config_hex(text)
    except KeyConfigError as exc:
        raise DestinationError(f"{where}: {exc}") from None


def _descriptor(text: str | None, where: str) -> Descriptor | None:
    try:
        return None if text is None else parse_descriptor(text)
    except KeyConfigError as exc:
        raise DestinationError(f"{where}: {exc}") from None


def policy_relay() -> RelayRequirement | None:
    """The managed policy's top-level `[relay]` (CODETAPE_POLICY's too), or None; PolicyError when that
    policy is refused."""
    # the managed policy's reader only when an upload run or a revocation opens the relay
    from collector.policy.managed import load_managed

    managed = load_managed()
    return None if managed is None else managed.policy.relay


def check_descriptor(through: Route, destination: Destination) -> None:
    """DestinationError when the pinned descriptor's gateway writes elsewhere than `destination`
    (`[upload] to`): receipts would name a place the episodes are not."""
    if through.descriptor is not None and through.descriptor.url != destination.url:
        raise DestinationError(f"the gateway writes to {through.descriptor.url} (its descriptor, signed by "
                               f"its operator), not to {destination.url}: set [upload] to = "
                               f"\"{through.descriptor.url}\"")


def exchange(route: Route, request: bhttp.Request) -> bhttp.Response:
    """Seal `request`, padded to its size bucket (ohttp/padding.py), send it through the relay, open the
    answer (Unreachable, TransferFailed)."""
    sealed, sender = seal_request(route.key, pad(bhttp.encode_request(request)))  # its size: a bucket
    post = urllib.request.Request(route.relay, data=sealed, method="POST",
                                  headers={"Content-Type": REQUEST_TYPE, "Accept": RESPONSE_TYPE})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(post, timeout=route.timeout_s) as answer:
            body = answer.read(MAX_ANSWER + 1)
            kind = answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        with exc:
            raise TransferFailed(f"the relay at {route.relay} answered {exc.code}: the request did not reach "
                                 "the gateway, or the gateway could not open it (is gateway_key its key?)") \
                from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(f"cannot reach the relay at {route.relay}: {reason}") from None
    if kind.split(";")[0].strip() != RESPONSE_TYPE or len(body) > MAX_ANSWER:
        raise TransferFailed(f"the relay at {route.relay} did not pass on a sealed answer")
    try:
        return bhttp.decode_response(sender.open_response(body))
    except (Unsealed, bhttp.MessageError):
        raise TransferFailed("the gateway's answer does not open: it is not from the gateway whose key is "
                             "gateway_key") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def put(route: Route, key: str, data: bytes, *, replace: bool) -> bool:
    """Store `data` at `key` through the gateway: True when written, False when an object was there
    (without `replace`); TransferFailed for a refusal or a store that failed."""
    headers = [("content-type", "application/octet-stream"),
               ("x-amz-checksum-sha256", _b64(hashlib.sha256(data).digest()))]
    if not replace:
        headers.append(("if-none-match", "*"))
    answer = exchange(route, bhttp.Request("PUT", "https", AUTHORITY, f"/{key}", tuple(headers), data))
    if answer.status == 200:
        return True
    if answer.status == 412 and not replace:
        return False
    if answer.status == 403:
        raise TransferFailed(f"the gateway refused to store {key} (it takes episodes, manifests and "
                             f"revocation records of at most {MAX_OBJECT >> 20} MiB, nothing else)")
    raise TransferFailed(f"the gateway could not write {key} to its store ({answer.status}): ask its "
                         "operator")


def record(route: Route) -> tuple[int, bytes]:
    """The issuer's members record, as the gateway keeps a copy of it: (status, body)."""
    answer = exchange(route, bhttp.Request("GET", "https", AUTHORITY, PATH_RECORD))
    return answer.status, answer.content


PROBE_PATH = "/doctor"  # a read the gateway takes for no object: it refuses it, sealed


def probe(route: Route) -> str:
    """Prove the road without writing anything: a sealed read request through the relay, which the gateway
    refuses in its one refusal shape (a sealed 403, nothing else). A well-formed refusal proves the relay
    passes requests on, the key configuration is the gateway's and the gateway answers; what it says;
    TransferFailed (Unreachable) saying in one line what failed."""
    answer = exchange(route, bhttp.Request("GET", "https", AUTHORITY, PROBE_PATH))
    if answer != bhttp.Response(403):
        raise TransferFailed(f"the gateway's sealed answer opened but is not its refusal ({answer.status}): "
                             "is it codetape's gateway?")
    said = "" if route.descriptor is None else f", writing to {route.descriptor.url}"
    return f"{route.relay} passed a sealed request to gateway key {route.key.key_id}{said}, which refused it"


def transport(route: Route) -> Callable[[str, str, bytes | None, str | None], tuple[int, bytes]]:
    """The issuer's transport (collector/consent/enrol.py) for an upload run: the record through the
    relay, nothing else (a record is public and signed: its signature is checked as ever)."""
    def through_relay(method: str, url: str, body: bytes | None, credential: str | None) -> tuple[int, bytes]:
        # the issuer's client (urllib, its errors) only when an upload run fetches the record
        from collector.consent.enrol import PATH_RECORD as ISSUER_RECORD
        from collector.consent.enrol import EnrolmentError

        if method != "GET" or not url.endswith(ISSUER_RECORD) or body is not None or credential is not None:
            raise EnrolmentError("only the issuer's record goes through the relay")
        try:
            return record(route)
        except TransferFailed as exc:
            raise EnrolmentError(str(exc)) from None
    return through_relay


class RelayStore:
    """The destination's bucket as the gateway writes it: unlinkable episodes only, whole, write-only."""

    def __init__(self, destination: Destination, route: Route) -> None:
        self.route = route
        self.prefix = destination.prefix
        self.bucket = destination.bucket
        self.ref: DestinationRef = destination.ref()

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}/{key}" if self.prefix else f"s3://{self.bucket}/{key}"

    def size_of(self, key: str) -> int | None:
        raise TransferFailed("the gateway answers no questions about the store: only unlinkable episodes "
                             "go through the relay")

    def put_bytes(self, key: str, data: bytes, *, replace: bool = False) -> bool:
        return put(self.route, key, data, replace=replace)

    def send(self, key: str, path: Path, sha256: str, size: int, *, resume: Resume | None,
             started: Callable[[Resume], None], progress: Callable[[int], None]) -> Sent:
        if size > MAX_OBJECT:
            raise TransferFailed(f"{path.name} is {size} bytes, more than the {MAX_OBJECT >> 20} MiB one "
                                 "request through the relay takes; it stays (it was signed before the relay "
                                 "was set)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TransferFailed(f"cannot read {path}: {exc.strerror}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise TransferFailed(f"{path.name} changed since it was checked; nothing was sent")
        if not put(self.route, key, data, replace=False):
            return Sent(0, already_there=True)
        progress(len(data))
        return Sent(len(data))

    def abort(self, key: str, resume: Resume) -> None:
        """Refused: an object through the relay goes whole, so only a direct upload (made before the relay
        was set) leaves one unfinished, and the gateway aborts nothing (it would have to list the store)."""
        raise NotAbandoned("the unfinished multipart upload of an earlier direct upload is not abandoned "
                           "through the relay (the gateway writes whole objects only); the bucket's "
                           "AbortIncompleteMultipartUpload lifecycle rule removes it")


def relayed(destination: Destination | None) -> RelayStore | None:
    """The configured destination as the gateway writes it, when `[upload] relay` is set (and it is an
    s3:// one: the gateway writes to its store); DestinationError when the relay is set half or wrongly."""
    through = None if destination is None else route(destination.settings, policy_relay())
    if through is None or destination is None:
        return None
    if destination.scheme != "s3":
        raise DestinationError(f"[upload] relay takes unlinkable episodes to an s3:// destination, not "
                               f"{destination.url}: the gateway writes to its store")
    check_descriptor(through, destination)
    return RelayStore(destination, through)


def opener(through: RelayStore | None, settings: UploadSettings) -> Callable[[DestinationRef], Store]:
    """Opens each destination a receipt names: through the relay for the one `through` writes to, else
    directly, the way it was reached (endpoint, region, profile)."""
    def open_ref(ref: DestinationRef) -> Store:
        return through if through is not None and ref.url == through.ref.url else reopen(ref, settings)
    return open_ref
