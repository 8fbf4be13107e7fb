"""Who the developer is to git: the identity this machine commits under in one workspace, masked like the
login name (namemask.py), because one `git log` in a terminal puts `Author: Alice Liddell
<a.liddell@acme.example>` into an episode, and an employer holds the staff list.

`git_identity(root, env)` reads, once per seal, what names the developer to git there: `user.name` and
`user.email` in every scope git reads (system, global, the repository's), the author and committer the
environment sets (`GIT_AUTHOR_NAME`, ...), and the handles in the remotes'
addresses: a user (`https://alice@host/...`, `alice@host:repo`; not `git@`), and the owner of a personal
fork: in the fork workflow (a remote named `upstream`), each other remote's owner (`host:OWNER/repo`,
`host/OWNER/repo`) that is not upstream's. An owner is not masked otherwise: a repository's only remote
is most often the organisation's, whose name identifies nobody and is in everyone's output.
`held_by_repository(root, values)` says which of them a file on a remote-tracking branch already holds
(an `AUTHORS` file, a licence's copyright line; not the local HEAD, which may hold unpushed commits):
the employer has those files, and committed text must
still match git, so file text keeps them; everything else an episode says (commands and their output,
commit messages, agent text, notes) has every one masked. `lines_holding(root, values)` gives, path by
path, the lines of those files that hold any of `values` (in any case; one `git grep` for all of them),
which unlinkable signing keeps them in and nowhere else (consent/scrub.py). `remotes(root)` are the
remotes' addresses, whose owners unlinkable signing masks where a remote is written. Reading fails
quietly: no git, no repository, no identity, so nothing more is masked and nothing is lost.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from collector.workspace.identity import read_git

_TIMEOUT_S = 10.0
_ENVIRONMENT = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
_STOCK_HANDLES = frozenset({"git", "ssh", "gitlab", "github", "bitbucket", "oauth2", "x-access-token",
                            "x-token-auth", "token"})
_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://([^/@:]+)(?::[^/@]*)?@")  # scheme://USER[:pass]@host
_SCP_USER = re.compile(r"^([^/@:]+)@[^/:]+:")  # USER@host:path
_PARTS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?P<h1>[^/:@]+)(?::\d*)?/|(?:[^/@:]+@)?(?P<h2>[^/:@]+):)"
                    r"~?(?P<owner>[^/:]+)/(?P<repo>[^/]+?)(?:\.git)?/?$", re.IGNORECASE)
_OWNER = re.compile(r"^(?:[a-z][a-z0-9+.-]*://[^/]+/|[^/:]+:)(?:~)?([^/]+)/[^/]+?(?:\.git)?/?$")


def git_identity(root: Path | None, env: Mapping[str, str] | None = None, *,
                 owners: bool = True) -> tuple[str, ...]:
    """The names, e-mails and handles that name this developer to git in the workspace `root` (None: the
    global configuration only), without duplicates, longest first. `owners`: a fork's owner among them
    (the fork workflow's, `fork_handles`); unlinkable signing masks every remote's owner where a remote is
    written instead (consent/scrub.py), never as a bare word."""
    env = os.environ if env is None else env
    values: list[str] = [env.get(name, "") for name in _ENVIRONMENT]
    values += _config(root, "--get-all", "user.name") + _config(root, "--get-all", "user.email")
    values += fork_handles(remotes(root), owners=owners)
    return tuple(sorted({value.strip() for value in values if value.strip()}, key=lambda v: (-len(v), v)))


def remotes(root: Path | None) -> dict[str, str]:
    """The remotes' addresses (name -> `url`), and each `pushurl` as `NAME (push)`."""
    found: dict[str, str] = {}
    for key, _, url in (line.partition(" ") for line in
                        _config(root, "--get-regexp", r"^remote\..*\.(url|pushurl)$")):
        name, _, which = key[len("remote."):].rpartition(".")
        found[name if which == "url" else f"{name} (push)"] = url
    return found


def fork_handles(remotes: Mapping[str, str], *, owners: bool = True) -> list[str]:
    """The handles the remotes (name -> address) name: each address's user, and in the fork workflow
    (an `upstream` remote) the owner of each other remote that upstream's owner is not (`owners`)."""
    found = [m.group(1) for url in remotes.values()
             for m in (_USERINFO.match(url.strip()), _SCP_USER.match(url.strip())) if m is not None]
    upstream = owner(remotes.get("upstream", "")) if owners else None
    if upstream is not None:
        found += [mine for name, url in remotes.items()
                  if name != "upstream" and (mine := owner(url)) is not None and mine != upstream]
    return [handle for handle in found if handle.lower() not in _STOCK_HANDLES]


def remote_parts(url: str) -> tuple[str, str, str] | None:
    """(host in lower case, owner, repository) of `host:OWNER/REPO` or `scheme://host/OWNER/REPO` (`.git`
    left out; None for a deeper or local path)."""
    found = _PARTS.match(url.strip())
    if found is None:
        return None
    return (found.group("h1") or found.group("h2")).lower(), found.group("owner"), found.group("repo")


def owner(url: str) -> str | None:
    """The owner in `host:OWNER/repo` or `scheme://host/OWNER/repo` (None for a deeper or local path)."""
    found = _OWNER.match(url.strip())
    return found.group(1) if found is not None else None


def held_by_repository(root: Path | None, values: Iterable[str]) -> frozenset[str]:
    """The `values` that a file on a remote-tracking branch of the repository holds (case as written): what
    the company's repository has, not what only this clone's commits do."""
    values = [value for value in dict.fromkeys(values) if value]
    held = lines_holding(root, values, fold=False)
    return frozenset(value for value in values if any(value in line for lines in held.values()
                                                       for line in lines))


def lines_holding(root: Path | None, values: Iterable[str], *,
                  fold: bool = True) -> dict[str, frozenset[str]]:
    """path -> the lines (without their line break) of the file at that path on any remote-tracking branch
    of the repository that hold one of `values` (in any case, when `fold`): one `git grep` for all of them.
    Empty when there is none, or git cannot tell."""
    tracking = _remote_tips(root)
    patterns = "".join(f"{value}\n" for value in dict.fromkeys(values) if value and "\n" not in value)
    if root is None or not tracking or not patterns:
        return {}
    command = ["git", "-C", str(root), "--no-optional-locks", "grep", "-z", "-I", "-F", "--no-color",
               *(["-i"] if fold else []), "-f", "-", *tracking, "--"]
    try:
        done = subprocess.run(command, input=patterns.encode("utf-8", "surrogateescape"), capture_output=True,
                              timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:  # 1: no file holds one
        return {}
    found: dict[str, set[str]] = {}
    for record in done.stdout.decode("utf-8", "replace").split("\n"):
        where, zero, line = record.partition("\0")
        _tip, colon, path = where.partition(":")  # each tip is an object id: no `:` in it
        if zero and colon:
            found.setdefault(path, set()).add(line.removesuffix("\r"))
    return {path: frozenset(lines) for path, lines in found.items()}


def _remote_tips(root: Path | None) -> list[str]:
    """The commits the remote-tracking branches point at, each once."""
    if root is None:
        return []
    said = read_git(root, "for-each-ref", "--format=%(objectname)", "refs/remotes")
    return list(dict.fromkeys(said.split())) if said is not None else []


def _config(root: Path | None, *args: str) -> list[str]:
    said = read_git(root, "config", *args)
    return said.splitlines() if said is not None else []


def read_git_names(root: Path | None) -> tuple[tuple[str, ...], frozenset[str]]:
    """This process's git identity in `root`, and which of it the repository's committed files hold."""
    identity = git_identity(root)
    return identity, held_by_repository(root, identity)
