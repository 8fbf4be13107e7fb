"""The order git wrote reflog entries in, for the entries one pass reads together.

The watcher reads a reflog as soon as watchdog reports it changed, which keeps git's order. A pass may
still run before the events of a burst have arrived (it runs `max_delay` after a burst's first event
even while events keep coming), and then reads the files whose events are late one after the other:
`git switch -c topic` would give HEAD's `checkout: moving from main to topic` before topic's
`branch: Created from HEAD`, which git wrote first. `in_git_order` puts such entries back in HEAD's
order, by what git writes:

- a branch's copy of one of HEAD's entries (a commit on the branch) was written just before it;
- a branch's creation, just before HEAD's checkout into that branch;
- a stash push, just before the HEAD-to-HEAD reset that `git stash` ends with;
- anything else, before HEAD's first entry of a later second (within one second, after HEAD's).

Each file keeps its own order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from collector.sources.git.git_steps import STASH, STASH_DROP
from collector.sources.git.gitops import classify, is_stash_reset
from collector.sources.git.reflog import ReflogEntry

Read = tuple[str, ReflogEntry]  # the log an entry was read from, and the entry


def in_git_order(head: Sequence[ReflogEntry], others: Sequence[Read]) -> list[Read]:
    """HEAD's new entries and the other logs' (each log's in file order), merged as git wrote them."""
    keys: dict[tuple[str | None, str | None, str], int] = {}
    checkouts: dict[str, int] = {}
    resets: list[int] = []
    for index, entry in enumerate(head):
        keys.setdefault((entry.old, entry.new, entry.message), index)
        action = classify(entry.message, head=True)
        if action.op == "checkout" and action.target is not None:
            checkouts.setdefault(f"refs/heads/{action.target}", index)
        if is_stash_reset(entry.message, entry.old, entry.new):
            resets.append(index)
    by_log: dict[str, list[ReflogEntry]] = {}
    for log, entry in others:
        by_log.setdefault(log, []).append(entry)
    before: list[list[Read]] = [[] for _ in range(len(head) + 1)]  # before[i]: ahead of head[i]
    for log, entries in by_log.items():
        stash_resets = iter(resets)  # the k-th stash push ends with the k-th such reset
        anchors = [_anchor(log, entry, keys, checkouts, stash_resets) for entry in entries]
        lowest = 0
        for at, entry in enumerate(entries):
            ceiling = next((a for a in anchors[at:] if a is not None), len(head))
            place = anchors[at]
            if place is None:
                place = len(head) if log == STASH_DROP else \
                    next((i for i, h in enumerate(head) if h.seconds > entry.seconds), len(head))
            place = min(max(place, lowest), max(ceiling, lowest))
            before[place].append((log, entry))
            lowest = place
    merged: list[Read] = []
    for index, entry in enumerate(head):
        merged.extend(before[index])
        merged.append(("HEAD", entry))
    merged.extend(before[-1])
    return merged


def _anchor(log: str, entry: ReflogEntry, keys: dict[tuple[str | None, str | None, str], int],
            checkouts: dict[str, int], resets: Iterator[int]) -> int | None:
    """The index of HEAD's entry that `entry` was written just before, when git's habits say."""
    if (found := keys.get((entry.old, entry.new, entry.message))) is not None:
        return found
    if log == STASH:
        return next(resets, None)
    if log in checkouts and classify(entry.message, head=False).op == "branch_create":
        return checkouts[log]
    return None
