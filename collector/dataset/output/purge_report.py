"""`codetape dataset purge-report`: the receiver's signed account of every episode purged from a dataset after
it had been built (revoked by its signer, or past its signed retain_until), so a contributor or an auditor
can check a withdrawal went through without the receiver keeping anything of the episode.

The report is read from the dataset as it is now, not only from what the builds wrote down: for each
purge the manifest records (manifest.PurgeRecord), each earlier snapshot that named one of the episode's
files is read again (snapshots.py) and must no longer name it and must say which build purged it and
when; each replaced file must be gone from OUT and from the manifest. What is not so is said
(`state` of a snapshot: purged, ended (a compaction merged its files), pending (a purge a build has not
finished: the next build finishes it); `complete` false).

It holds no episode content: per episode its id, the SHA-256 of its file (its name at the source, which the
contributor's receipt holds), why it left (revoked or expired), the build that purged it and when, the
files that held its rows (paths, and the copies that replaced them), and per snapshot when its rows left.
Not the signer's key id, nor any row, text or statement of the episode.

The file: `{"format": "codetape-purge-report/v1", "body": {...}, "signature": BASE64}`, the signature
Ed25519 by the receiver's key (receiver_key.py) over b"codetape/purge-report/v1" 0x00 and the body as
JSON with sorted keys and no spaces (UTF-8). `verify_report` checks it against a public key given.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from collector.consent.keys import KeyInfo, encode_public, key_id
from collector.dataset.output.manifest import DatasetManifest, PurgeRecord
from collector.dataset.output.output import Output
from collector.dataset.output.snapshots import Snapshot, read_snapshot
from collector.dataset.output.staged import FOLDER as EXPORTS
from collector.errors import EpisodeError

FORMAT = "codetape-purge-report/v1"
DOMAIN = b"codetape/purge-report/v1\0"
MAX_REPORT = 64 * 1024 * 1024


class ReportInvalid(EpisodeError):
    """A purge report that is not one, or whose signature does not verify (exit 1)."""


def report_body(out: Output, manifest: DatasetManifest, made_at: datetime, receiver: KeyInfo,
                episode: str | None = None) -> dict[str, Any]:
    """What the report says (every purge, or only those of the episode id `episode`)."""
    snapshots: dict[int, Snapshot | None] = {}
    present: dict[str, set[str]] = {}
    named = manifest.known_files()
    purges = [purge for purge in manifest.purges if episode is None or purge.episode_id == episode]
    episodes = []
    for purge in purges:
        for number in purge.snapshots:
            if number not in snapshots:
                snapshots[number] = read_snapshot(out, number)
        files = [{"table": item.table, "path": _shown(item.table, item.path), "replaced_by": item.replaced_by,
                  "shared_with_others_purged_then": item.shared,
                  "still_present": _present(out, present, item.table, item.path) or item.path in named}
                 for item in purge.files]
        seen = [_snapshot_state(purge, number, snapshots[number]) for number in purge.snapshots]
        complete = not any(item["still_present"] for item in files) and \
            all(state["state"] in ("purged", "ended") for state in seen)
        episodes.append({"episode_id": purge.episode_id, "sha256": purge.sha256, "reason": purge.reason,
                         "purged_by_build": purge.build, "rows_left_dataset_at": _when(purge.at),
                         "files": files, "snapshots": seen, "complete": complete})
    return {"dataset": out.url, "made_at": _when(made_at), "builds": len(manifest.builds),
            "receiver": {"algorithm": "ed25519", "public_key": encode_public(receiver.public_key),
                         "key_id": receiver.key_id},
            "episode": episode, "episodes": episodes}


def _snapshot_state(purge: PurgeRecord, number: int, snapshot: Snapshot | None) -> dict[str, Any]:
    """When the episode's rows left build `number`'s snapshot, read from its record now."""
    if snapshot is None:
        return {"build": number, "state": "pending", "rows_left_at": None,
                "note": "its snapshot record is missing"}
    old = {item.path for item in purge.files if not item.shared}
    still = old & (set(snapshot.files()) | snapshot.named_exports())
    done = next((item for item in snapshot.purged if item.build == purge.build), None)
    ended = None if snapshot.ended is None else \
        f"compaction build {snapshot.ended.build} merged and deleted its files since"
    if done is not None and not still:
        return {"build": number, "state": "purged", "rows_left_at": _when(done.at), "note": ended}
    if snapshot.ended is not None:
        return {"build": number, "state": "ended", "rows_left_at": _when(snapshot.ended.at), "note": ended}
    return {"build": number, "state": "pending", "rows_left_at": None,
            "note": "the purge is not finished in this snapshot (the next build finishes it)"}


def _shown(table: str, path: str) -> str:
    """A file's path as the report says it: an export's without the signer's folder it is kept in
    (`exports/FORMAT/SIGNER/FILE` -> `exports/FORMAT/FILE`; staged.py), so the report names no signer."""
    parts = path.split("/")
    if table != EXPORTS or len(parts) < 3:
        return path
    return "/".join([*parts[:-2], parts[-1]])


def _present(out: Output, cache: dict[str, set[str]], table: str, path: str) -> bool:
    """Whether the file `path` (of `table`, or an export file: its signer's folder listed, never every
    export file) is still under OUT."""
    if table == EXPORTS:  # its signer's folder
        folder = path.rsplit("/", 1)[0]
        if folder not in cache:
            cache[folder] = {found for found, _size in out.walk(folder, "")}
        return path in cache[folder]
    if table not in cache:
        cache[table] = set(out.sizes(table))
    return path in cache[table]


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _signed_bytes(body: dict[str, Any]) -> bytes:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DOMAIN + text.encode("utf-8")


def sign_report(body: dict[str, Any], private: Ed25519PrivateKey) -> bytes:
    """The report file's bytes: the body and the receiver's signature over it."""
    signature = base64.b64encode(private.sign(_signed_bytes(body))).decode("ascii")
    return (json.dumps({"format": FORMAT, "body": body, "signature": signature}, indent=1,
                       ensure_ascii=False) + "\n").encode("utf-8")


def verify_report(data: bytes, public_key: bytes) -> dict[str, Any]:
    """The body of a report whose signature verifies under `public_key`; ReportInvalid saying why not."""
    if len(data) > MAX_REPORT:
        raise ReportInvalid(f"the report is {len(data)} bytes, above the {MAX_REPORT} a purge report can be")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ReportInvalid("not a purge report: not UTF-8 JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ReportInvalid(f"not a {FORMAT} report")
    body, signature = document.get("body"), document.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, str):
        raise ReportInvalid("the report has no body or no signature")
    receiver = body.get("receiver")
    said = receiver.get("public_key") if isinstance(receiver, dict) else None
    if said != encode_public(public_key):
        shown = receiver.get("key_id") if isinstance(receiver, dict) else None
        raise ReportInvalid(f"the report says it was signed by receiver key {shown!s:.16}, not by "
                            f"{key_id(public_key)} (the key given)")
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw, _signed_bytes(body))
    except (binascii.Error, ValueError, InvalidSignature):
        raise ReportInvalid(f"the signature does not verify under receiver key {key_id(public_key)}: the "
                            "report was changed after it was signed, or another key signed it") from None
    return body
