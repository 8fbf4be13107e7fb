"""From observed reflog entries and two ref snapshots to `git` steps, in the order git made them.

A step has `sha` (with message, parents and per-file stats) exactly when that operation created the
commit; ref moves carry `old` and `new`. Reflog entries name the operation (see gitops); ref changes
no reflog explains (tags, deletions, `update-ref`) come from the snapshot diff, and commits that
appeared without any reflog entry (`commit-tree` + `update-ref`) are found with `rev-list`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collector.sources.git.gitops import Action, classify, is_stash_reset
from collector.sources.git.gitread import RefState
from collector.sources.git.reflog import ReflogEntry

SOURCE = "git"
STASH = "refs/stash"
STASH_DROP = "refs/stash (dropped)"
LOGGED = ("refs/heads/", "refs/remotes/")
_REVISION = re.compile(r"^[0-9a-f]{7,64}$|[~^@:]|^HEAD$")

Describe = Callable[[str], dict[str, Any]]  # sha -> message, parents, files (or a detail on failure)
NewCommits = Callable[[list[str], list[str]], list[str]]  # tips, known -> new commits, parents first


@dataclass(frozen=True)
class Observed:
    """One reflog entry as the watcher read it; `seq` orders entries across files."""

    seq: int
    log: str  # "HEAD", a refname, STASH (a push) or STASH_DROP
    entry: ReflogEntry


def git_step(op: str, **fields: Any) -> dict[str, Any]:
    if isinstance(fields.get("ref"), str):
        fields["ref"] = printable(fields["ref"])[0]
    return {"kind": "git", "source": SOURCE, "op": op, **{k: v for k, v in fields.items() if v is not None}}


def printable(name: str) -> tuple[str, bool]:
    """A path or ref name git gave as bytes (decoded with surrogateescape), as text a step can hold.

    Valid UTF-8 comes back unchanged with False. Otherwise, with True, each byte that is not UTF-8 is
    written `%XX` and each `%` as `%25` (no backslash: paths in an episode never hold one), so the
    bytes can be recovered; a git file entry's `escaped` flag says which form its path is in.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        text = name.replace("%", "%25")
        return "".join(f"%{ord(c) - 0xDC00:02X}" if "\udc80" <= c <= "\udcff" else c for c in text), True
    return name, False


def _stash_before_its_reset(ordered: list[Observed]) -> list[Observed]:
    """`git stash` writes refs/stash's reflog, then HEAD's HEAD-to-HEAD reset; a pass may have read them the
    other way round (HEAD's entries as their events came, the stash's only at the pass: CI saw `reset, stash`
    and `checkout, stash` for `git stash && git switch main`). Each stash push read after such a reset of its
    second (or the two before or after) goes back just before the first one it has not been put before."""
    result = list(ordered)
    claimed: set[int] = set()
    for push in [o for o in ordered if o.log == STASH]:
        at = result.index(push)
        reset = next((index for index, o in enumerate(result[:at]) if o.log == "HEAD" and o.seq not in claimed
                      and is_stash_reset(o.entry.message, o.entry.old, o.entry.new)
                      and abs(o.entry.seconds - push.entry.seconds) <= 2), None)
        if reset is not None:
            claimed.add(result[reset].seq)
            result.insert(reset, result.pop(at))
    return result


class StepBuilder:
    """Turns one pass's observations into steps; remembers what earlier passes already explained."""

    def __init__(self, describe: Describe, new_commits: NewCommits) -> None:
        self._describe = describe
        self._new_commits = new_commits
        self._head_keys: deque[tuple[str | None, str | None, str]] = deque(maxlen=10_000)
        # Reflog entries are written before their ref moves, so a pass may read an entry whose ref update
        # only the next pass's snapshot shows: what entries explained and created is remembered for a while.
        self._explained: deque[tuple[str, str | None]] = deque(maxlen=10_000)
        self._created: deque[str] = deque(maxlen=10_000)
        # A commit on a branch writes the branch's reflog, then HEAD's: a pass between the two writes
        # records the operation from the branch's entry, and the next pass must not record it again.
        self._branch_keys: deque[tuple[str | None, str | None, str]] = deque(maxlen=10_000)
        self._stash_pushed_s = -10

    def build(self, old: RefState, new: RefState, observed: list[Observed]) -> list[dict[str, Any]]:
        ordered = _stash_before_its_reset(sorted(observed, key=lambda o: o.seq))
        self._head_keys.extend(_key(o.entry) for o in ordered if o.log == "HEAD")
        head_keys = set(self._head_keys)
        cutoff = _creation_cutoffs(old, ordered)
        steps: list[dict[str, Any]] = []
        explained: set[tuple[str, str | None]] = set(self._explained)
        created: set[str] = set()
        current = old.head_ref
        for item in ordered:
            entry = item.entry
            if item.log == "HEAD":
                current, step = self._head(entry, current, old, new, created)
                if current is not None:
                    explained.add((current, entry.new))
                if _key(entry) in self._branch_keys:
                    continue  # recorded by an earlier pass from the branch's own entry
            elif item.log == STASH:
                self._stash_pushed_s = entry.seconds
                step = git_step("stash", ref=STASH, new=entry.new, message=entry.message, detail="push")
            elif item.log == STASH_DROP:
                step = git_step("stash", ref=STASH, old=entry.new, message=entry.message,
                                detail="drop (git stash pop or drop)")
            else:
                explained.add((item.log, entry.new))
                if item.seq < cutoff.get(item.log, -1) or _key(entry) in head_keys:
                    continue
                step = self._branch(item.log, entry, created)
                self._branch_keys.append(_key(entry))
            if step is not None:
                steps.append(step)
        steps.extend(self._snapshot_diff(old, new, explained, created))
        self._explained.extend(explained - set(self._explained))
        self._created.extend(created)
        return steps

    def _head(self, entry: ReflogEntry, current: str | None, old: RefState, new: RefState,
              created: set[str]) -> tuple[str | None, dict[str, Any] | None]:
        action = classify(entry.message, head=True)
        if action.op == "checkout":
            current = _branch_ref(action.target, old, new)
        elif action.detail is not None and action.detail.startswith("start"):
            current = None  # a rebase runs on a detached HEAD
        elif action.echo and action.target is not None:
            current = action.target
        if action.echo:
            return current, None
        stashing = abs(entry.seconds - self._stash_pushed_s) <= 2
        if stashing and is_stash_reset(entry.message, entry.old, entry.new):
            return current, None
        return current, self._entry_step(action, entry, current, created)

    def _branch(self, refname: str, entry: ReflogEntry, created: set[str]) -> dict[str, Any]:
        action = classify(entry.message, head=False)
        if refname.startswith("refs/remotes/"):
            action = Action("fetch" if action.op in {"fetch", "pull"} else "ref_update", detail=action.detail)
        return self._entry_step(action, entry, refname, created)

    def _entry_step(self, action: Action, entry: ReflogEntry, ref: str | None,
                    created: set[str]) -> dict[str, Any]:
        if action.creates and entry.new is not None and entry.new not in created:
            created.add(entry.new)
            return self._commit_step(action.op, entry.new, ref=ref, old=entry.old, detail=action.detail)
        return git_step(action.op, ref=ref, old=entry.old, new=entry.new, detail=action.detail)

    def _commit_step(self, op: str, sha: str, *, ref: str | None, old: str | None,
                     detail: str | None) -> dict[str, Any]:
        return {**git_step(op, sha=sha, ref=ref, old=old, detail=detail), **self._describe(sha)}

    def _snapshot_diff(self, old: RefState, new: RefState, explained: set[tuple[str, str | None]],
                       created: set[str]) -> list[dict[str, Any]]:
        """Ref changes no reflog entry explained: tags, deletions, updates without a reflog."""
        steps: list[dict[str, Any]] = []
        unexplained: list[str] = []
        for name in sorted(set(old.refs) | set(new.refs)):
            before, after = old.refs.get(name), new.refs.get(name)
            moved_tag = old.tag_objects.get(name) != new.tag_objects.get(name)
            if name == STASH or (before == after and not moved_tag):
                continue
            if after is not None and (name, after) in explained and not name.startswith("refs/tags/"):
                continue
            steps.append(_ref_step(name, before, after, annotated=name in new.tag_objects))
            if after is not None and name.startswith(("refs/heads/", "refs/tags/")):
                unexplained.append(after)
        if not unexplained:
            return steps
        known = [*old.refs.values(), *(s for n, s in new.refs.items() if n.startswith("refs/remotes/"))]
        known += [old.head_sha] if old.head_sha else []
        seen = created | set(self._created)
        found = [sha for sha in self._new_commits(unexplained, known + sorted(seen)) if sha not in seen]
        created.update(found)
        observed = [self._commit_step("commit", sha, ref=None, old=None, detail="observed") for sha in found]
        return observed + steps


def _key(entry: ReflogEntry) -> tuple[str | None, str | None, str]:
    return entry.old, entry.new, entry.message


def _creation_cutoffs(old: RefState, ordered: list[Observed]) -> dict[str, int]:
    """For refs new since `old`: the seq of their creation entry (a renamed branch keeps its history)."""
    cutoffs: dict[str, int] = {}
    for item in ordered:
        if item.log.startswith(LOGGED) and item.log not in old.refs:
            if classify(item.entry.message, head=False).op == "branch_create":
                cutoffs[item.log] = item.seq
            else:
                cutoffs.setdefault(item.log, -1)
    return cutoffs


def _branch_ref(name: str | None, old: RefState, new: RefState) -> str | None:
    """The branch a checkout moved to, or None when it detached HEAD (a sha, tag, remote, `HEAD~1`)."""
    if name is None:
        return None
    ref = f"refs/heads/{name}"
    if ref in new.refs or ref in old.refs:
        return ref
    others = (f"refs/tags/{name}", f"refs/remotes/{name}", name)
    if _REVISION.search(name) or any(o in new.refs or o in old.refs for o in others):
        return None
    return ref  # a branch made and gone again between two passes


def _ref_step(name: str, before: str | None, after: str | None, *, annotated: bool) -> dict[str, Any]:
    if name.startswith("refs/tags/"):
        detail = "deleted" if after is None else ("moved" if before is not None else
                                                  ("annotated" if annotated else "lightweight"))
        return git_step("tag", ref=name, old=before, new=after, detail=detail)
    if name.startswith("refs/heads/"):
        if after is None:
            return git_step("branch_delete", ref=name, old=before)
        if before is None:
            return git_step("branch_create", ref=name, new=after)
    if name.startswith("refs/remotes/"):
        return git_step("fetch", ref=name, old=before, new=after, detail="pruned" if after is None else None)
    return git_step("ref_update", ref=name, old=before, new=after)
