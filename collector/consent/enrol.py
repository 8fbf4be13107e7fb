"""Enrolment with an issuer, the member's side: trade a one-time secret for a credential, then fetch
batches of per-episode keys authorised blindly.

The protocol, JSON over HTTP (collector/issuer/server.py answers it):

    GET  /v1/record      the issuer's signed public record (authorisation.py)
    POST /v1/enrol       {"secret": S}                       -> {"credential": C, "issuer": ID}
    POST /v1/authorise   {"epoch": E, "blinded": [B64, ...]}  -> {"blind_signatures": [B64, ...]}
                         with `Authorization: Bearer C`
    an error             any 4xx/5xx with {"error": ONE_LINE}

For each key, `fetch_batch` makes a fresh Ed25519 key pair, prepares (32 random bytes) and blinds the
message authorisation.key_message names, sends only the blinded messages, finalises each answer (which
checks it under the month's public key from the issuer's signed record) and stores the batch
(episode_keys.py). The issuer sees blinded messages only, unrelated to the keys.

The credential is kept in `Home.enrolment/enrolment.json` (0600) with the issuer's URL and identity key:
every later record must carry the same identity.

Keys come by themselves: `ensure_key` before an unlinkable signing (`codetape sign`, the review's sign-off)
fetches a batch when no unused key for the month is left (a new month, say). A signing that leaves fewer
than LOW_WATER, or falls in a month's last AHEAD_DAYS days while next month's are few (`wants_keys`), fetches
nothing then: it gives the top-up a random time of its own (collector/due.py), and the upload run that
comes at that time calls `top_up` and `fetch_ahead`, so the issuer, which knows whose credential asks,
never learns when a member signs (docs/unlinkable.md). When the issuer cannot be
reached or refuses, nothing is lost: the signing that needed a key is refused in one line and the episode
stays unsigned; a top-up that failed is said in one line and given another time by the next signing.
Nothing ever falls back to attributed signing.
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from collector.atomic import atomic_write
from collector.consent import blindrsa
from collector.consent.authorisation import (
    Authorisation,
    IssuerRecord,
    b64,
    key_message,
    next_epoch,
    read_record,
    unb64,
    verify_authorisation,
)
from collector.consent.episode_keys import EpisodeKey, new_key_pair, store_batch, unused_counts
from collector.consent.errors import ConsentError, KeyProblem
from collector.home import Home
from collector.protocol.clock import utc_now

PATH_RECORD = "/v1/record"
PATH_ENROL = "/v1/enrol"
PATH_AUTHORISE = "/v1/authorise"
MAX_PER_REQUEST = 1000
LOW_WATER = 5  # fewer unused keys than this for the month: a refresh, or the next signing, tops it up
AHEAD_DAYS = 3  # in a month's last 3 days (UTC) a signing also fetches the next month's batch
BATCH = 20  # keys a batch holds unless asked otherwise (`enroll --count`), and what a top-up fetches
MAX_RESPONSE = 8 * 1024 * 1024
ENROLMENT_FORMAT = "codetape-enrolment/v1"
ENROL_COMMAND = "codetape enroll URL --secret S"  # as `codetape enroll --help` has it
TIMEOUT_S = 60.0

# (method, url, JSON body or None, bearer credential or None) -> (HTTP status, response body)
Transport = Callable[[str, str, bytes | None, str | None], tuple[int, bytes]]


class EnrolmentError(ConsentError):
    """The issuer refused, could not be reached, or answered something that does not check out."""


@dataclass(frozen=True)
class Enrolment:
    url: str
    issuer: str
    identity: bytes
    credential: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is refused: the secret or credential would go with it to wherever it points."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        raise EnrolmentError(f"the issuer at {req.full_url} answered with a redirect ({code}) to {newurl}: "
                             "codetape follows none, the secret or credential would go with it; give the "
                             "issuer's own URL")


def opener_for(url: str) -> urllib.request.OpenerDirector:
    """How a request to the issuer at `url` goes: straight to a loopback address (never through a proxy
    the environment names: the secret and credential would reach it in clear), HTTPS through the
    environment's HTTPS proxy only (a CONNECT tunnel: the proxy sees the host, not what is sent), and no
    redirect followed."""
    parts = urlsplit(url)
    proxies: dict[str, str] = {}
    if parts.scheme == "https" and not urllib.request.proxy_bypass(parts.hostname or ""):
        https = urllib.request.getproxies().get("https")
        if https:
            proxies["https"] = https
    return urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _NoRedirect())


def http_transport(method: str, url: str, body: bytes | None, credential: str | None) -> tuple[int, bytes]:
    """The real transport: urllib, JSON, a timeout (`opener_for`: no proxy for loopback, no redirects); an
    HTTP error's status and body are returned."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if credential is not None:
        headers["Authorization"] = f"Bearer {credential}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with opener_for(url).open(request, timeout=TIMEOUT_S) as response:
            return response.status, response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(MAX_RESPONSE + 1)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EnrolmentError(f"cannot reach the issuer at {url}: {reason}") from None


def check_url(url: str) -> str:
    """The issuer's base URL without a trailing slash: https://, or http:// to a loopback address only
    (the credential and secret travel in it)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.rstrip("/")
    if parts.scheme == "http" and (host == "localhost" or _loopback(host)):
        return url.rstrip("/")
    raise EnrolmentError(f"an issuer URL is https://HOST (plain http only to a loopback address), not {url}")


def enrolment_path(home: Home) -> Path:
    return home.enrolment / "enrolment.json"


def load_enrolment(home: Home) -> Enrolment:
    path = enrolment_path(home)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Enrolment(str(document["url"]), str(document["issuer"]),
                         unb64(document["identity"], "identity"), str(document["credential"]))
    except FileNotFoundError:
        raise EnrolmentError(f"not enrolled with an issuer (run: {ENROL_COMMAND})") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EnrolmentError(f"{path} is damaged ({exc}); enrol again with a new secret") from None


def enrol(home: Home, url: str, secret: str, transport: Transport = http_transport, *,
          published: IssuerRecord | None = None) -> Enrolment:
    """Trade the one-time `secret` for a member credential, kept in the home (0600); the issuer must be
    `published`'s, when given (the record receivers trust)."""
    base = check_url(url)
    if enrolment_path(home).exists():
        current = load_enrolment(home)
        raise EnrolmentError(f"already enrolled with issuer {current.issuer} at {current.url} "
                             "(more keys: codetape enroll --refresh)")
    record = fetch_record(base, None if published is None else published.identity, transport)
    answer = _call(transport, "POST", base + PATH_ENROL, {"secret": secret}, None)
    credential = answer.get("credential")
    if not isinstance(credential, str) or answer.get("issuer") != record.issuer:
        raise EnrolmentError("the issuer's answer to the enrolment is not a credential of its own")
    enrolment = Enrolment(base, record.issuer, record.identity, credential)
    home.ensure(home.enrolment)
    os.chmod(home.enrolment, 0o700)
    atomic_write(enrolment_path(home), json.dumps({
        "format": ENROLMENT_FORMAT, "url": base, "issuer": record.issuer, "identity": b64(record.identity),
        "credential": credential}, indent=2) + "\n")
    return enrolment


def fetch_record(base: str, identity: bytes | None, transport: Transport = http_transport) -> IssuerRecord:
    """The issuer's public record, its signature checked (and its identity `identity`, when given)."""
    status, body = transport("GET", base + PATH_RECORD, None, None)
    if status != 200:
        raise EnrolmentError(f"the issuer answered {status} for its record: {_error_of(body)}")
    return read_record(body, identity=identity)


def fetch_batch(home: Home, enrolment: Enrolment, epoch: str, count: int,
                transport: Transport = http_transport, *,
                published: IssuerRecord | None = None) -> list[EpisodeKey]:
    """`count` new per-episode keys for `epoch`, each authorised blindly and checked, stored as one batch.
    With `published` (the record receivers trust), the month's key must be the one it lists: an issuer
    serving one member a key of its own could tell that member's episodes apart."""
    if not 0 < count <= MAX_PER_REQUEST:
        raise EnrolmentError(f"a batch is 1 to {MAX_PER_REQUEST} keys, not {count}")
    record = fetch_record(enrolment.url, enrolment.identity, transport)
    month = record.months.get(epoch)
    if month is None:
        raise EnrolmentError(f"issuer {record.issuer} has no key for {epoch} "
                             f"(it signs for: {', '.join(record.months) or 'no month'})")
    if published is not None:
        listed = published.months.get(epoch)
        other_key = listed is not None and listed.public_key != month.public_key
        if published.identity != record.identity or other_key:
            raise EnrolmentError(f"the issuer serves a key for {epoch} other than the record you gave lists: "
                                 "it could tell your episodes apart; nothing was fetched")
    pairs = [new_key_pair() for _ in range(count)]
    prepared = [blindrsa.prepare(key_message(epoch, public)) for _, public in pairs]
    blinded = [blindrsa.blind(month.public_key, message) for message in prepared]
    request: dict[str, object] = {"epoch": epoch, "blinded": [b64(item.blinded_msg) for item in blinded]}
    answer = _call(transport, "POST", enrolment.url + PATH_AUTHORISE, request, enrolment.credential)
    signatures = answer.get("blind_signatures")
    if not isinstance(signatures, list) or len(signatures) != count:
        raise EnrolmentError(f"the issuer answered {count} blinded keys with something else")
    keys: list[EpisodeKey] = []
    for (seed, public), message, item, blind_sig in zip(pairs, prepared, blinded, signatures, strict=True):
        try:
            signature = blindrsa.finalize(month.public_key, message, unb64(blind_sig, "blind signature"),
                                          item.inv)
        except ValueError as exc:
            raise EnrolmentError(f"the issuer's blind signature does not check out: {exc}") from None
        authorisation = Authorisation(record.issuer, epoch, message[:blindrsa.PREFIX_BYTES], signature)
        problem = verify_authorisation(record, public, authorisation)
        if problem is not None:
            raise EnrolmentError(f"an authorisation does not verify: {problem}")
        keys.append(EpisodeKey(public, seed, authorisation))
    store_batch(home, keys)
    return keys


def refresh_epoch(home: Home, now: datetime) -> str:
    """The month a refresh fetches for: this month while it has fewer than LOW_WATER unused keys, else
    the next (the issuer signs for both)."""
    current = f"{now.year:04d}-{now.month:02d}"
    if unused_counts(home).get(current, 0) < LOW_WATER:
        return current
    return next_epoch(current)


def ensure_key(home: Home, epoch: str, transport: Transport = http_transport) -> int:
    """Before an unlinkable signing for `epoch`: when no unused key for it is left, fetch a batch (returns
    how many keys were fetched, 0 when none was needed). KeyProblem in one line when one was needed and
    none could be had (a home not enrolled is told how to enrol: it has no credential to fetch with):
    nothing is signed, and nothing falls back to the contributor's own key."""
    if unused_counts(home).get(epoch, 0):
        return 0
    if not enrolment_path(home).exists():
        raise KeyProblem(f"this home is not enrolled with an issuer, so it holds no episode key for {epoch}: "
                         f"enrol with the URL and one-time secret your issuer gave you ({ENROL_COMMAND}), "
                         "then sign again; nothing was signed and the episode stays")
    try:
        return len(fetch_batch(home, load_enrolment(home), epoch, BATCH, transport))
    except ConsentError as exc:
        raise KeyProblem(f"no unused episode key authorised for {epoch}, and none could be fetched: {exc}; "
                         "nothing was signed and the episode stays: sign it again once the issuer answers "
                         "(or, if you choose to be named, sign it attributed)") from None


def can_get_key(home: Home, epoch: str) -> bool:
    """Whether an unlinkable signing for `epoch` can have a key: an unused one is here, or this home is
    enrolled and can fetch one (the issuer may still refuse)."""
    return bool(unused_counts(home).get(epoch, 0)) or enrolment_path(home).exists()


def wants_keys(home: Home, epoch: str) -> bool:
    """Whether this enrolled home should fetch more keys: fewer than LOW_WATER unused ones for `epoch` are
    left, or next month's are due ahead (`ahead_epoch`)."""
    if not enrolment_path(home).exists():
        return False
    return unused_counts(home).get(epoch, 0) < LOW_WATER or ahead_epoch(home, utc_now()) is not None


def top_up(home: Home, epoch: str, transport: Transport = http_transport) -> tuple[int, str | None]:
    """At a top-up's own time: when fewer than LOW_WATER unused keys for `epoch` are left, fetch a batch.
    Returns (keys fetched, None), or (0, why not, one line) when the issuer could not be reached or
    refused: nothing is lost, the next signing gives it another time."""
    left = unused_counts(home).get(epoch, 0)
    if left >= LOW_WATER or not enrolment_path(home).exists():
        return 0, None
    try:
        return len(fetch_batch(home, load_enrolment(home), epoch, BATCH, transport)), None
    except ConsentError as exc:
        return 0, (f"{left} unused episode key{'s' * (left != 1)} left for {epoch}, and no more could be "
                   f"fetched: {exc}; nothing is lost: the next signing sets another time to ask (or: "
                   "codetape enroll --refresh)")


def ahead_epoch(home: Home, now: datetime) -> str | None:
    """The next month, when `now` (UTC) is in the last AHEAD_DAYS days of its month and this home is
    enrolled and holds fewer than LOW_WATER unused keys for the next month; else None."""
    current = f"{now.year:04d}-{now.month:02d}"
    following = next_epoch(current)
    first = date(int(following[:4]), int(following[5:]), 1)
    if (first - now.date()).days > AHEAD_DAYS or not enrolment_path(home).exists():
        return None
    return following if unused_counts(home).get(following, 0) < LOW_WATER else None


def fetch_ahead(home: Home, transport: Transport = http_transport) -> tuple[str | None, int, str | None]:
    """At a top-up's own time in the last AHEAD_DAYS days of a month: the next month's batch, fetched now,
    so that the new month's first signing needs no issuer. Returns (the month, keys fetched, None), (the
    month, 0, why not, one line) when the issuer could not be reached or refused (nothing is lost: the next
    signing gives it another time, and the new month's first signing fetches its own), or (None, 0, None)
    when nothing was due."""
    epoch = ahead_epoch(home, utc_now())
    if epoch is None:
        return None, 0, None
    try:
        return epoch, len(fetch_batch(home, load_enrolment(home), epoch, BATCH, transport)), None
    except ConsentError as exc:
        return epoch, 0, (f"next month's episode keys ({epoch}) could not be fetched ahead: {exc}; nothing "
                          "is lost: the next signing sets another time to ask, and the first signing of the "
                          "new month fetches them if the issuer answers then")


def _call(transport: Transport, method: str, url: str, payload: dict[str, object],
          credential: str | None) -> dict[str, object]:
    status, body = transport(method, url, json.dumps(payload).encode("utf-8"), credential)
    if status != 200:
        raise EnrolmentError(f"the issuer refused: {_error_of(body)}")
    try:
        answer = json.loads(body) if len(body) <= MAX_RESPONSE else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise EnrolmentError(f"the issuer's answer to {url} is not a JSON object")
    return answer


def _error_of(body: bytes) -> str:
    try:
        document = json.loads(body[:MAX_RESPONSE])
    except ValueError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        return str(document["error"])
    return body[:200].decode("utf-8", "replace") or "no reason given"


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
