"""An episode signed attributed, signed again unlinkably: what an upload holds when the managed policy
governing it now requires unlinkable consent (upload/governing.py) leaves only this way, or withdrawn.

`codetape sign --unlinkable EPISODE --yes` names it in the outbox. Its content as it was signed (the
attributed signature copied it byte for byte, consent/sign.py unsigned_copy) is put back in episodes/ as a
sealed episode, and the attributed copy is taken out of the outbox (with its receipt, which names no
delivery: one already delivered anywhere is refused, as its attributed copy left); the episode is then
signed as any sealed one is (review/choices.py sign_and_queue, unlinkable), which takes it out of
episodes/ again. When that fails, everything is put back as it was: the attributed copy in the outbox,
nothing in episodes/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from collector.consent.sign import unsigned_copy
from collector.consent.statement import parse_statement, unpack_payload
from collector.episode import open_episode
from collector.held import MODE, drop
from collector.home import Home
from collector.review.errors import ReviewError
from collector.upload.receipt_file import receipt_path
from collector.upload.receipts import read_receipt


@contextmanager
def attributed_withdrawn(path: Path, home: Home) -> Iterator[Path]:
    """While the block runs, the attributed episode at `path` (in the outbox) is out of it and its content,
    unsigned, is the sealed episode whose path is yielded; kept so when the block ends (it signed it),
    put back as it was when it raises. ReviewError when `path` is not an attributed episode of the outbox
    that was never delivered."""
    episode = open_episode(path)
    eid = str(episode.header.episode_id)
    if episode.consent is None or path.resolve().parent != home.outbox.resolve():
        raise ReviewError(f"{path} is not a signed episode in the outbox ({home.outbox})")
    if parse_statement(unpack_payload(episode.consent)[1]).reviewer.authorisation is not None:
        raise ReviewError(f"{eid[:8]} is signed unlinkably already; an episode is signed once")
    receipt = read_receipt(home, eid)
    if receipt is not None and (receipt.deliveries or receipt.revoked is not None):
        done = "withdrawn" if receipt.revoked is not None else "uploaded"
        raise ReviewError(f"{eid[:8]} was {done} signed attributed: signing it again unlinkably would not "
                          f"take that back (codetape revoke {eid[:8]} withdraws it)")
    unsigned = home.ensure(home.episodes) / path.name
    if unsigned.exists():
        raise ReviewError(f"{unsigned} is already there; discard it or sign it first")
    aside = path.with_name(f".{path.name}.attributed")
    unsigned_copy(path, unsigned)
    os.replace(path, aside)
    try:
        yield unsigned
    except BaseException:
        if path.exists():  # signed again after all (what failed came after): the attributed copy goes
            aside.unlink(missing_ok=True)
        else:
            os.replace(aside, path)
            unsigned.unlink(missing_ok=True)
        raise
    aside.unlink(missing_ok=True)
    receipt_path(home, eid).unlink(missing_ok=True)  # of the attributed copy: no delivery, another file
    drop(home, eid, [MODE])
