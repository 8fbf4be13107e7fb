"""What the outbox holds back, and why: the episodes an upload run did not let leave.

    outbox/members-held.json   (MEMBERS) each waits until the issuer's record counts k members for its
                               month (collector/upload/members.py)
    outbox/pushed-held.json    (PUSHED) work of each was pushed after signing: its contributor is asked
                               (collector/upload/pushed_since.py)
    outbox/mode-held.json      (MODE) each was signed attributed, and the managed policy governing it now
                               requires unlinkable consent: it is re-signed or withdrawn
                               (collector/upload/governing.py)
    outbox/destination-held.json  (DESTINATION) the managed policy governing each allows none of the
                               destinations configured (`[upload] to`, `[[upload.route]]`): it waits for one
                               (collector/upload/routes.py)

Each is a JSON list of objects with at least `episode_id`, written by the upload run that held them (0600,
replaced atomically); a run that looked at some episodes only replaces what it says of those. An episode
leaves both lists when it is uploaded, withdrawn or sent anyway (`drop`). `codetape status` lists them, the
collector's `status` answer counts them (`count`, for the editors' status line) and `codetape review` offers
the choice.

Here, beside home.py and due.py, because the upload, the review, `status` and the daemon read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from collector.atomic import atomic_write
from collector.home import Home

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any, Literal

    Kind = Literal["members-held.json", "pushed-held.json", "mode-held.json", "destination-held.json"]

MEMBERS: Kind = "members-held.json"
PUSHED: Kind = "pushed-held.json"
MODE: Kind = "mode-held.json"
DESTINATION: Kind = "destination-held.json"
KINDS: tuple[Kind, ...] = (MEMBERS, PUSHED, MODE, DESTINATION)
MAX_BYTES = 1 << 22


def read(home: Home, kind: Kind) -> list[dict[str, Any]]:
    """What the upload runs hold, of `kind`; [] when nothing, or unreadable."""
    try:
        with open(home.outbox / kind, "rb") as handle:
            data = json.loads(handle.read(MAX_BYTES))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, dict) and isinstance(item.get("episode_id"), str)]


def keep(home: Home, kind: Kind, held: Sequence[dict[str, Any]], looked_at: Iterable[str]) -> None:
    """A run looked at the episodes `looked_at` and holds `held` (each with its `episode_id`) of them: what
    it says replaces what the list said of those; the others stay as they were."""
    looked = set(looked_at) | {str(item["episode_id"]) for item in held}
    _write(home, kind, [*[item for item in read(home, kind) if item["episode_id"] not in looked], *held])


def drop(home: Home, episode_id: str, kinds: Iterable[Kind] = KINDS) -> None:
    """The episode is no longer held (uploaded, withdrawn or sent anyway) in the lists `kinds`."""
    for kind in kinds:
        items = read(home, kind)
        if any(item["episode_id"] == episode_id for item in items):
            _write(home, kind, [item for item in items if item["episode_id"] != episode_id])


def held_ids(home: Home) -> set[str]:
    """Every episode held, whichever the reason."""
    return {item["episode_id"] for kind in KINDS for item in read(home, kind)}


def count(home: Home) -> int:
    """How many episodes are held, whichever the reason (the collector's `status` answer)."""
    return len(held_ids(home))


def _write(home: Home, kind: Kind, items: list[dict[str, Any]]) -> None:
    """The list, replaced only when it changed: the collector runs an upload whenever the outbox changes
    (daemon/drain.py), so a run that rewrote the same list would start the next one, and so on."""
    path = home.outbox / kind
    if not items:
        path.unlink(missing_ok=True)
        return
    if items == read(home, kind):
        return
    home.ensure(home.outbox)
    atomic_write(path, json.dumps(items, indent=1) + "\n")
