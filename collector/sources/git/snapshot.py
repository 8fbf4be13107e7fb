"""The repository at an episode's start (`snapshot = "tracked"` in `.codetape.toml`): the text of every file
git tracks in the workspace, as the `gap` step with reason `snapshot` that opens the episode
(schemas/steps/gap.py says why a gap: every reader already takes a gap's state as a state jump).

Git only names the files (`git ls-files`, read-only, taking no lock, on the repository `gitdir.py` finds
without following a link; none found or one reached through a link: a snapshot without state that says
why). Each file is then read as the file watcher reads one (`filestate.read_state`): the workspace's
rules decide before a byte is read (`.git`, the secret-ish files, the exclude globs, the mandatory
exclusions; git's ignore files are not asked, since they never apply to a file git tracks, as `git
check-ignore` says, and asking costs a round trip per file), no link is followed on the way or at the
end, binary files and files above `max_file_bytes` give no content. Redaction applies at sealing, to
this state as to every other text.

Each file says whether its text on disk is HEAD's (`at_head`: its git blob id the one HEAD's tree holds
for the path, `git ls-tree`), so a reader can tell the text at the episode's `head_at_start` from a change
made before the recording began (the `zeta2` export's base).

Bounded: at most MAX_FILES files and MAX_BYTES bytes of text,
taken in git's order (sorted paths) until the first that does not fit; the step's `detail` counts and
names (up to NAMED per reason) what was left out: binary, above `max_file_bytes`, a link, past the
snapshot's cap (counted up to COUNTED). An excluded file is neither counted nor named.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collector.errors import GitDirRefused
from collector.policy.recording import Policy
from collector.sources.files.filestate import Unreadable, read_state
from collector.sources.git.gitdir import find_git_dir

MAX_FILES = 5_000
# Text a snapshot holds: with what the episode adds, within the files a dataset worker rebuilds of one
# episode (collector/dataset/engines/transform.py, WORKER_LIMITS: 24 MiB of memory, about 10 MiB of text).
MAX_BYTES = 4 << 20
NAMED = 20  # paths the detail names per reason
COUNTED = 10_000  # files past the cap checked against the workspace's rules, to count them (not name them)
GIT_TIMEOUT_S = 10.0
MAX_LISTING = 64 << 20  # bytes of `git ls-files` output read (NUL-separated paths)

NO_SNAPSHOT = "no snapshot of the files git tracks"  # how the detail of one that could not be taken begins
INDENT = "  "
MORE = f"{INDENT}(and "
REASONS = {"binary": "binary", "too_large": "above max_file_bytes", "link": "a link",
           "unreadable": "that could not be read then (too many open files, memory, the device)",
           "cap": "past the snapshot's cap"}


@dataclass
class Snapshot:
    """What one snapshot holds: the files' texts, what was left out (reason -> paths), or why none."""

    state: list[dict[str, Any]] = field(default_factory=list)  # {"path", "text", "at_head"}, in git's order
    left_out: dict[str, list[str]] = field(default_factory=dict)
    problem: str | None = None
    bytes: int = 0
    uncounted: bool = False  # more files were past the cap than COUNTED: the detail gives no number

    def past_cap(self, rest: list[str], policy: Policy) -> None:
        """Note the files not taken: those the workspace's rules let through, up to COUNTED of them."""
        kept = self.left_out.setdefault("cap", [])
        for n, relpath in enumerate(rest):
            if n >= COUNTED:
                self.uncounted = True
                return
            if not policy.excluded_by_workspace(relpath):
                kept.append(relpath)

    def step(self) -> dict[str, Any]:
        """The `gap` step (without `t_ms`) that records it."""
        gap: dict[str, Any] = {"kind": "gap", "source": "collector", "reason": "snapshot",
                               "detail": self.detail()}
        if self.state:
            gap["state"] = self.state
        return gap

    def detail(self) -> str:
        """What the snapshot holds, then each reason files were left out and their paths, one a line
        (`named_in` reads them back)."""
        if self.problem is not None:
            return f"{NO_SNAPSHOT}: {self.problem}"
        lines = [f"snapshot of the files git tracks: {len(self.state)} recorded ({self.bytes} bytes)"]
        for reason in [reason for reason in REASONS if reason in self.left_out]:
            paths = self.left_out[reason]
            cap = f" of {MAX_FILES} files and {MAX_BYTES} bytes" if reason == "cap" else ""
            uncounted = reason == "cap" and self.uncounted
            lines.append(f"left out, {REASONS[reason]}{cap} ({'more than ' * uncounted}{len(paths)}):")
            lines += [f"{INDENT}{path}" for path in paths[:NAMED]]
            if len(paths) > NAMED or uncounted:
                lines.append(f"{MORE}{'more than ' * uncounted}{len(paths) - NAMED} more)")
        return "\n".join(lines)


def named_in(detail: str) -> list[str]:
    """The paths a snapshot's detail names as left out (the review masks them when it excludes them)."""
    return [line[len(INDENT):] for line in detail.split("\n")
            if line.startswith(INDENT) and not line.startswith(MORE)]


def take_snapshot(root: Path, policy: Policy, *, max_files: int = MAX_FILES,
                  max_bytes: int = MAX_BYTES) -> Snapshot:
    """The files git tracks below `root` (a real path), read under `policy`."""
    tracked = tracked_files(root)
    if isinstance(tracked, str):
        return Snapshot(problem=tracked)
    snapshot, head = Snapshot(), head_blobs(root)
    for n, relpath in enumerate(tracked):
        if len(snapshot.state) >= max_files or snapshot.bytes >= max_bytes:
            snapshot.past_cap(tracked[n:], policy)
            break
        try:
            read = read_state(root, relpath, policy, tracked=True)
        except Unreadable:  # named as left out: the text was not taken, whatever the file holds
            snapshot.left_out.setdefault("unreadable", []).append(relpath)
            continue
        if read is None:
            continue  # excluded, gone (a sparse checkout, a deletion not staged), not a file
        fields, known = read
        reason = "link" if "link" in fields else fields.get("omitted")
        if reason is None and snapshot.bytes + known.size > max_bytes:
            snapshot.past_cap(tracked[n:], policy)
            break
        if reason is not None:
            snapshot.left_out.setdefault(reason, []).append(relpath)
            continue
        text = fields["text"]
        blob = head.get(relpath)
        at_head = blob is not None and blob_id(text.encode("utf-8"), blob) == blob
        snapshot.state.append({"path": relpath, "text": text, "at_head": at_head})
        snapshot.bytes += known.size
    return snapshot


def tracked_files(root: Path) -> list[str] | str:
    """The workspace-relative paths git tracks below `root`, sorted; or why they cannot be listed."""
    listing = _git(root, "ls-files", "-z", "--cached", "--", ".")
    if isinstance(listing, str):
        return listing
    names = [name.decode("utf-8", "surrogateescape") for name in listing.split(b"\0") if name]
    return sorted({name for name in names if _plain(name)})


def head_blobs(root: Path) -> dict[str, str]:
    """The blob id of each file below `root` in HEAD's tree, by workspace-relative path (empty: no HEAD,
    or git cannot say)."""
    blobs = tree_blobs(root, "HEAD")
    return {} if isinstance(blobs, str) else blobs


def tree_blobs(root: Path, commit: str) -> dict[str, str] | str:
    """The blob id of each file below `root` in `commit`'s tree, by workspace-relative path, a submodule's
    path mapped to "" (its files are in no blob of this tree); or why git cannot list them all."""
    listing = _git(root, "ls-tree", "-r", "-z", "--end-of-options", commit, "--", ".")
    if isinstance(listing, str):
        return listing
    if len(listing) >= MAX_LISTING:
        return f"git ls-tree printed {MAX_LISTING} bytes or more"
    blobs = {}
    for entry in listing.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] in (b"blob", b"commit"):
            blobs[name.decode("utf-8", "surrogateescape")] = \
                fields[2].decode("ascii", "replace") if fields[1] == b"blob" else ""
    return blobs


def blob_text(root: Path, blob: str) -> str | None:
    """The text of the blob `blob` in the repository `root` is in (None: git cannot give it, or it is not
    UTF-8 text)."""
    data = _git(root, "cat-file", "blob", blob)
    if isinstance(data, str) or len(data) >= MAX_LISTING or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def blob_id(data: bytes, like: str) -> str:
    """Git's id of a blob holding `data`, in the hash of the repository whose ids look like `like`."""
    digest = hashlib.sha256() if len(like) == 64 else hashlib.sha1()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _git(root: Path, *args: str) -> bytes | str:
    """What `git ARGS` prints in the repository `root` is in (read-only, no lock taken), at most
    MAX_LISTING bytes; or why it cannot be had."""
    try:
        found = find_git_dir(root)
    except GitDirRefused as exc:
        return str(exc)
    if found is None:
        return "the workspace is not in a git repository"
    command = ["git", "--no-optional-locks", "-c", "core.fsmonitor=false", f"--git-dir={found.git_dir}",
               f"--work-tree={found.worktree}", *args]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, timeout=GIT_TIMEOUT_S, check=False,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except subprocess.TimeoutExpired:
        return f"git {args[0]} did not answer within {GIT_TIMEOUT_S:.0f} s"
    except OSError as exc:
        return f"git cannot be run ({exc.strerror or exc})"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"git {args[0]} failed ({said[-1] if said else f'exit status {done.returncode}'})"
    return done.stdout[:MAX_LISTING]


def _plain(relpath: str) -> bool:
    """A path the episode can hold: valid UTF-8, no control character (a line break would split the
    detail's lines), relative and without `..` (git never lists one, but its output is read as data)."""
    if any(ord(c) < 32 or 0xDC80 <= ord(c) <= 0xDCFF for c in relpath):
        return False
    parts = relpath.split("/")
    return not relpath.startswith("/") and all(part not in ("", ".", "..") for part in parts)
