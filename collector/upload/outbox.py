"""The outbox (CODETAPE_HOME/outbox): signed episodes, what became of each, and draining it.

A signed episode stays in the outbox after it is uploaded (its receipt says where it went), so every
command still finds it by id and `codetape revoke` can withdraw it. Its state: `signed` (waiting),
`uploaded` (a receipt names a destination), `revoked`. `drain` sends the waiting ones to a store, a
bounded number at a time, and records how the run went for `codetape status`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from collector.errors import CodetapeError
from collector.held import DESTINATION, MEMBERS, MODE, PUSHED, read
from collector.home import Home
from collector.protocol.clock import Clock, utc_now
from collector.upload.errors import TransferFailed, Unreachable

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:  # the receipt models: loaded only when there is one to read (`status`)
    from typing import Any

    from collector.upload.destinations import Store
    from collector.upload.receipts import Counted, LastAttempt, Receipt
    from collector.upload.ref import DestinationRef
    from collector.upload.transfer import Delivered

SUFFIX = ".ctape"
# matched through re's cache: compiled when an outbox file is, not at `status`'s start-up
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class Entry:
    """One episode in the outbox and its receipt. (A plain class, not a dataclass or NamedTuple: `status`
    starts without dataclasses or typing.)"""

    __slots__ = ("episode_id", "path", "receipt")

    def __init__(self, path: Path, episode_id: str, receipt: Receipt | None) -> None:
        self.path, self.episode_id, self.receipt = path, episode_id, receipt

    @property
    def state(self) -> str:
        if self.receipt is None:
            return "signed"
        if self.receipt.revoked is not None:
            return "revoked"
        return "uploaded" if self.receipt.deliveries else "signed"

    def waits_for(self, ref: DestinationRef | None) -> bool:
        """Signed, not revoked, and not yet at `ref` (at no destination at all, when None)."""
        if self.state == "revoked":
            return False
        if self.receipt is None:
            return True
        return not self.receipt.deliveries if ref is None else self.receipt.delivered_to(ref) is None


def outboxed(home: Home) -> list[tuple[Path, str]]:
    """Every `<episode id>.ctape` in the outbox and its id, by id; no receipt read."""
    try:
        paths = sorted(home.outbox.glob(f"*{SUFFIX}"))
    except OSError:
        return []
    found = [(path, path.name[: -len(SUFFIX)]) for path in paths]
    return [(path, eid) for path, eid in found if re.match(_UUID, eid)]


def entries(home: Home) -> list[Entry]:
    """Every `<episode id>.ctape` in the outbox, by id, with its receipt."""
    found = outboxed(home)
    if not found:
        return []
    # the receipt model only when the outbox holds something
    from collector.upload.receipts import read_receipt

    return [Entry(path, eid, read_receipt(home, eid)) for path, eid in found]


def waiting(home: Home, ref: DestinationRef | None) -> list[Entry]:
    return [entry for entry in entries(home) if entry.waits_for(ref)]


class UploadOutcome:
    """One episode in a run: delivered, failed (and why), or skipped (the store was out of reach)."""

    __slots__ = ("delivered", "error", "path")

    def __init__(self, path: Path, delivered: Delivered | None = None, error: CodetapeError | None = None
                 ) -> None:
        self.path, self.delivered, self.error = path, delivered, error

    @property
    def skipped(self) -> bool:
        return self.delivered is None and self.error is None


def drain(home: Home, store: Store, paths: list[Path], *, concurrency: int,
          progress: Callable[[int], None] | None = None, now: Clock = utc_now) -> list[UploadOutcome]:
    """Upload `paths` to `store`, `concurrency` at a time; the outcomes in the order given. Once the store
    is out of reach (after botocore's retries), the episodes not yet started are skipped."""
    import threading
    from concurrent.futures import ThreadPoolExecutor  # with logging: ~10 ms `status` does not need

    from collector.upload.transfer import upload_episode  # the gate, consent checks: not for `status`

    out_of_reach = threading.Event()

    def one(path: Path) -> UploadOutcome:
        if out_of_reach.is_set():
            return UploadOutcome(path)
        try:
            if progress is None:
                return UploadOutcome(path, upload_episode(path, home, store, now=now))
            return UploadOutcome(path, upload_episode(path, home, store, progress=progress, now=now))
        except Unreachable as exc:
            out_of_reach.set()
            return UploadOutcome(path, error=exc)
        except CodetapeError as exc:
            return UploadOutcome(path, error=exc)
        except OSError as exc:
            return UploadOutcome(path, error=TransferFailed(f"{path}: {exc.strerror or exc}"))

    if not paths:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(paths)))) as pool:
        return list(pool.map(one, paths))


def record_run(home: Home, destination: str, outcomes: list[UploadOutcome], error: str | None,
               now: Clock = utc_now, counted: Mapping[str, Counted] | None = None) -> None:
    """Keep how a run went (receipts/last-attempt.json) for `codetape status`, with the count each
    unlinkable episode it delivered left with (`counted`, by episode id)."""
    # the receipt model only after an upload run
    from collector.upload.receipts import LastAttempt, write_last_attempt

    delivered = [o.delivered for o in outcomes if o.delivered is not None]
    left = tuple(counted[str(d.episode_id)] for d in delivered if counted and str(d.episode_id) in counted)
    write_last_attempt(home, LastAttempt(
        at=now(), destination=destination, uploaded=sum(not d.already_there for d in delivered),
        already_there=sum(d.already_there for d in delivered),
        failed=sum(o.delivered is None for o in outcomes), error=error, counted=left))


def retry_command(refs: list[str], to: str | None = None, *, allow_insecure: bool = False) -> str:
    """The exact command that retries: `codetape upload [ID...] [--to URL] [--allow-insecure]`."""
    import shlex  # deferred: `status` loads this module and quotes no command

    words = ["codetape", "upload", *refs] + (["--to", to] if to is not None else [])
    return " ".join(shlex.quote(word) for word in words + (["--allow-insecure"] if allow_insecure else []))


def upload_plan(home: Home) -> str:
    """What happens next to a signed episode, in a few words, said truthfully."""
    return _plan(home)[0]


def upload_note(home: Home, episode_id: str) -> str:
    """What happens next to an episode just signed into the outbox, and the command that does it."""
    # the random times (unlinkable mode) only when an episode was just signed
    from collector.due import due

    plan, destination = _plan(home)
    if destination is None:
        return plan
    timed = due(home, episode_id)
    if timed is not None and timed.bound_s:  # unlinkable: its own random time
        when = timed.at.isoformat(timespec="minutes").replace("+00:00", "Z")
        return (f"{plan} on its own, at a random time ({when}): the collector sends it then, while it runs "
                f"(at once, and linkable by when it arrives: codetape upload --now {episode_id})")
    return (f"{plan}: the collector sends it in the background while it runs, or now: "
            f"codetape upload {episode_id}")


def _plan(home: Home) -> tuple[str, str | None]:
    """(what happens next, the destination's URL when one is configured and usable)."""
    from collector.upload.destinations import configured  # not for `episodes`, which lists the outbox

    try:
        destination = configured(home)
    except CodetapeError as exc:
        return f"waiting in the outbox: the upload destination is not usable ({exc})", None
    if destination is None:
        return ("waiting in the outbox until an upload destination is configured (codetape config set "
                "upload.to URL), then: codetape upload"), None
    return f"queued for upload to {destination.url}", destination.url


def outbox_status(home: Home) -> dict[str, Any]:
    """For `codetape status`: how many signed episodes wait, for which destination, how the last run went."""
    problem = destination = None
    if os.path.lexists(home.config):  # without config.toml no destination is configured (`named`)
        # deferred: the destinations (and managed policy) only for `status`, and only with a config.toml
        from collector.upload.destinations import configured

        try:
            destination = configured(home)
        except CodetapeError as exc:
            from collector.safe_urls import safe_text  # deferred: its patterns compile on import

            problem = safe_text(str(exc))
    last = last_attempt(home)
    queued = entries(home)
    ref = None if destination is None or not queued else destination.ref()  # a receipt model: only if used
    attempt = None if last is None else _plain(last)
    if attempt is not None and attempt.get("error"):
        from collector.safe_urls import safe_text  # deferred: its patterns compile on import

        attempt["error"] = safe_text(attempt["error"])
    still = {entry.episode_id for entry in queued if entry.waits_for(ref)}  # not revoked or sent since
    live = {entry.episode_id for entry in queued if entry.state == "signed"}  # waiting for any destination
    return {"waiting": len(still),
            "destination": None if destination is None else destination.url, "destination_problem": problem,
            "last_attempt": attempt,
            "held_for_members": [item for item in read(home, MEMBERS) if item["episode_id"] in still],
            "held_for_pushed": [item for item in read(home, PUSHED) if item["episode_id"] in still],
            "held_for_mode": [item for item in read(home, MODE) if item["episode_id"] in still],
            "held_for_destination": [item for item in read(home, DESTINATION) if item["episode_id"] in live]}


def _plain(attempt: LastAttempt) -> dict[str, Any]:
    # schemas.common only for `status --json`
    from schemas.common import plain

    return plain(attempt)


def last_attempt(home: Home) -> LastAttempt | None:
    """How the last upload run went; None before any (no receipts yet, so no receipt model to load)."""
    if not home.receipts.is_dir():
        return None
    # the receipt model only when there are receipts (see the docstring)
    from collector.upload.receipts import read_last_attempt

    return read_last_attempt(home)
