"""Work pushed after signing: an unlinkable episode is held, and its contributor asked, when work it holds
reached the company's repository after she signed it.

Unlinkable mode hides who made the work only while it is not in the repository: once it is pushed, whoever
holds the repository finds the episode's commits and file texts there, with their author. Work is usually
pushed later than it is signed, so the check that the review and `sign` make (review/pushed.py) is made
again before the episode leaves, by every upload run, as of the last fetch or push (no network):

    outbox/<episode id>.origin   (0600; local, never uploaded) JSON: the workspace root, the episode's
                                 commits and the git blob id of each file's final text as it was before
                                 signing masked it, each only if no remote-tracking branch held it at
                                 signing; their content's fingerprints and the remote-tracking tips then
                                 (pushed_content.py; none in an origin kept before them);
                                 `sent_anyway` once the contributor chose to send it all the same;
                                 removed once the episode is uploaded or withdrawn (`left`)
    outbox/pushed-held.json      what upload runs hold, for `codetape status`, the editors' status line and
                                 `codetape review` (collector/held.py)

Pushed: a commit that a remote-tracking branch contains (`for-each-ref --contains`), a blob that one
reaches (`rev-list --objects --remotes`), or a commit that reached one since signing whose message or
added lines match the episode's (pushed_content.py: an amend, a rebase, a cherry-pick, a squash). A
repository that cannot be asked (gone, not git) holds the episode too: whether its work is pushed is not
known. The contributor sends it anyway (`codetape upload --send-anyway EPISODE`: it then leaves by the
usual rules) or withdraws it (`codetape revoke EPISODE`); `codetape review` offers both
(collector/review/held.py).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from collector.atomic import atomic_write
from collector.episode import Episode
from collector.held import PUSHED, drop, keep
from collector.home import Home
from collector.upload.members import look_again
from collector.upload.pushed_content import Fingerprints, Match, find, take
from collector.workspace.identity import read_git
from schemas.steps import GitStep

ORIGIN = ".origin"
TIMEOUT_S = 10.0
MAX_ORIGIN = 1 << 22
EMPTY = ("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
         "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813")  # git's empty blob


@dataclass(frozen=True)
class Origin:
    """What an unlinkable episode was made of, kept locally: where, which commits, which final texts."""

    root: str
    commits: list[str]
    blobs: dict[str, str]  # path -> git blob id of its final text, unmasked
    sent_anyway: bool = False
    fingerprints: Fingerprints | None = None  # None: kept before fingerprints were (ids only)

    def to_json(self) -> dict[str, Any]:
        kept = {} if self.fingerprints is None else {"fingerprints": self.fingerprints.to_json()}
        return {"root": self.root, "commits": self.commits, "blobs": self.blobs,
                "sent_anyway": self.sent_anyway, **kept}


@dataclass(frozen=True)
class HeldPushed:
    """An unlinkable episode held because work of it is on a remote-tracking branch now (or that cannot be
    told: `problem`)."""

    episode_id: str
    root: str
    commits: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problem: str | None = None
    matched: list[dict[str, Any]] = field(default_factory=list)  # pushed_content.Match's fields

    def why(self) -> str:
        """What is pushed, for a person."""
        if self.problem is not None:
            return f"whether its work is pushed cannot be told: {self.problem}"
        found = [f"{len(self.commits)} of its commits"] if self.commits else []
        if self.files:
            found.append(f"the text of {', '.join(self.files[:3])}{' and more' * (len(self.files) > 3)}")
        if self.matched:
            said = [Match(**item).said() for item in self.matched[:3]]
            found.append(f"its content in {', '.join(said)}{' and more' * (len(self.matched) > 3)}")
        return (f"{' and '.join(found)}: on a remote-tracking branch of {self.root} since you signed it "
                "(as of the last fetch): whoever holds that repository can tell it is yours")

    def line(self) -> str:
        """Why it is held, and what the contributor can do."""
        short = self.episode_id[:8]
        return (f"{short} is held: {self.why()}; send it anyway with `codetape upload --send-anyway "
                f"{short}`, or withdraw it with `codetape revoke {short}`")

    def to_json(self) -> dict[str, Any]:
        return {"episode_id": self.episode_id, "root": self.root, "commits": self.commits,
                "files": self.files, "problem": self.problem, "matched": self.matched}


def episode_commits(episode: Episode) -> list[str]:
    """The commits the episode made (its `git` steps of `commit`), in order, each once."""
    return list(dict.fromkeys(step.sha for step in episode.steps()
                              if type(step) is GitStep and step.op == "commit" and step.sha))


def pushed_commits(root: Path | None, commits: Iterable[str]) -> list[str] | None:
    """The `commits` a remote-tracking branch of the repository at `root` reaches; None when it cannot be
    asked."""
    if root is None:
        return None
    pushed = []
    for commit in commits:
        command = ["git", "-C", str(root), "for-each-ref", "--count=1", "--contains", commit,
                   "--format=%(refname)", "refs/remotes"]
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode == 128:  # no repository there (gone, not git): nothing can be said
            return None
        if done.returncode != 0:  # a commit the repository does not have (rewritten since): not pushed
            continue
        if done.stdout.strip():
            pushed.append(commit)
    return pushed


def pushed_blobs(root: Path, blobs: Iterable[str]) -> set[str] | None:
    """The `blobs` a remote-tracking branch of the repository at `root` reaches (at its tip or in its
    history); None when it cannot be asked. Git's object list is read as it comes, and left once all are
    found."""
    wanted, found = set(blobs), set[str]()
    if not wanted:
        return found
    command = ["git", "--no-optional-locks", "-C", str(root), "rev-list", "--objects", "--no-object-names",
               "--remotes"]
    try:
        with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL) as process:
            assert process.stdout is not None
            for raw in process.stdout:
                name = raw.strip().decode("ascii", "replace")
                if name in wanted:
                    found.add(name)
                    if found == wanted:
                        process.kill()
                        return found
            code = process.wait(timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return None if code != 0 else found


def final_texts(episode: Episode) -> dict[str, str]:
    """Each file's final text in `episode`."""
    # the reconstruction only when an episode is signed unlinkably
    from collector.reconstruct.keyframes import workspace_after

    return workspace_after(episode).files()


def final_blobs(texts: Mapping[str, str], root: Path) -> dict[str, str]:
    """Git's blob id of each of the final `texts` (not empty), in the hash the repository at `root` uses."""
    # git's blob hash only when an episode is signed unlinkably
    from collector.sources.git.snapshot import blob_id

    like = "0" * (64 if read_git(root, "rev-parse", "--show-object-format") == "sha256" else 40)
    blobs = {path: blob_id(text.encode("utf-8", "surrogatepass"), like) for path, text in texts.items()}
    return {path: blob for path, blob in blobs.items() if blob not in EMPTY}


def origin_path(home: Home, episode_id: str) -> Path:
    return home.outbox / f"{episode_id}{ORIGIN}"


def keep_origin(home: Home, episode: Episode, root: Path) -> None:
    """At unlinkable signing, from the unsigned `episode` recorded in `root`: keep what of it is not pushed
    yet, by id and by content (nothing kept when all of it is pushed, or the repository cannot be asked)."""
    commits = episode_commits(episode)
    pushed = pushed_commits(root, commits)
    texts = final_texts(episode)
    blobs = final_blobs(texts, root)
    there = pushed_blobs(root, blobs.values())
    if pushed is None or there is None:
        return
    unpushed = {path: blob for path, blob in blobs.items() if blob not in there}
    mine = [commit for commit in commits if commit not in pushed]
    fingerprints = take(str(root), mine, {path: texts[path] for path in unpushed})
    origin = Origin(str(root), mine, unpushed, fingerprints=fingerprints)
    if origin.commits or origin.blobs:
        write_origin(home, str(episode.header.episode_id), origin)


def write_origin(home: Home, episode_id: str, origin: Origin) -> None:
    home.ensure(home.outbox)
    atomic_write(origin_path(home, episode_id), json.dumps(origin.to_json(), indent=1) + "\n")


def read_origin(home: Home, episode_id: str) -> Origin | None:
    """The episode's origin as kept at signing; None when none was kept, or it is unreadable."""
    try:
        with open(origin_path(home, episode_id), "rb") as handle:
            data = json.loads(handle.read(MAX_ORIGIN))
        return Origin(str(data["root"]), [str(commit) for commit in data["commits"]],
                      {str(path): str(blob) for path, blob in data["blobs"].items()},
                      bool(data["sent_anyway"]), Fingerprints.from_json(data.get("fingerprints") or {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def pushed_since(episode_id: str, origin: Origin) -> HeldPushed | None:
    """Held, when work of the episode is on a remote-tracking branch now or that cannot be told; else None."""
    root = Path(origin.root)
    commits = pushed_commits(root, origin.commits)
    blobs = pushed_blobs(root, origin.blobs.values())
    matched = [] if origin.fingerprints is None else find(origin.root, origin.fingerprints)
    if commits is None or blobs is None or matched is None:
        return HeldPushed(episode_id, origin.root, problem=f"the repository at {origin.root} cannot be asked")
    files = sorted(path for path, blob in origin.blobs.items() if blob in blobs)
    found = [asdict(match) for match in matched if match.commit not in commits]
    if not (commits or files or found):
        return None
    return HeldPushed(episode_id, origin.root, commits, files, matched=found)


def hold_pushed(home: Home, episodes: Mapping[str, Path], now: datetime) -> list[HeldPushed]:
    """The ones of `episodes` (id -> path) held because work of them was pushed after signing; each whose
    time came draws a fresh one (upload/members.py look_again), and what is held is kept for `status`."""
    held = []
    for name in sorted(episodes):
        origin = read_origin(home, name)
        if origin is not None and not origin.sent_anyway:
            found = pushed_since(name, origin)
            if found is not None:
                held.append(found)
                look_again(home, name, now)
    keep(home, PUSHED, [item.to_json() for item in held], episodes)
    return held


def send_anyway(home: Home, episode_id: str) -> bool:
    """The contributor's choice: the episode leaves although work of it is pushed. False when no origin was
    kept for it (nothing to hold it by)."""
    origin = read_origin(home, episode_id)
    if origin is None:
        return False
    write_origin(home, episode_id, replace(origin, sent_anyway=True))
    drop(home, episode_id, [PUSHED])
    return True


def left(home: Home, episode_id: str) -> None:
    """The episode no longer waits (uploaded, or withdrawn): what was kept for its holds goes, its origin
    (the workspace root, the real commit ids and blob ids) first."""
    origin_path(home, episode_id).unlink(missing_ok=True)
    drop(home, episode_id)
