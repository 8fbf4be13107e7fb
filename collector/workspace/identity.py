"""Who a workspace is, for the episode header: its folder name, git remote (no credentials), HEAD.

Git is only read, with `--no-optional-locks`, so the developer's own git commands never meet our lock.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from collector.safe_urls import without_credentials
from schemas import WorkspaceIdentity

_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_QUERY = re.compile(r"[?#]")


def read_git(root: Path | None, *args: str) -> str | None:
    """What git prints for `args` in `root` (None: git's global configuration only), stripped; None when
    git fails, cannot run, prints nothing or takes over 5 s."""
    try:
        done = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True,
                              timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = done.stdout.decode("utf-8", "replace").strip()
    return out if done.returncode == 0 and out else None


def strip_credentials(url: str) -> str:
    """The remote URL without user, password, token, query or fragment (scp-like `git@host:x` stays), also
    when no parser accepts it (`https://u:pa/ss@host/x`, `https://u:p@[bad`): the user information ends at
    its last `@` (`collector.safe_urls`)."""
    if "://" not in url:
        return url
    return _QUERY.split(without_credentials(url), maxsplit=1)[0]


def identify(root: Path) -> WorkspaceIdentity:
    """The workspace identity read from disk now (HEAD at the episode's start)."""
    remote = read_git(root, "config", "--get", "remote.origin.url")
    if remote is None:
        first = read_git(root, "remote")
        remote = read_git(root, "config", "--get", f"remote.{first.splitlines()[0]}.url") if first else None
    head = read_git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return WorkspaceIdentity(
        root_name=root.name[:1024] or "/",
        git_remote=strip_credentials(remote)[:4096] if remote else None,
        head_at_start=head if head and _SHA.match(head) else None,
    )


def workspace_remotes(root: Path) -> list[str]:
    """Every remote URL of the repository at `root`, each once: each remote's fetch and push URLs as
    configured and as git rewrites them (`url.<base>.insteadOf`); [] outside a repository, or without a
    remote. What the managed policy's `[[scope]]` sections are matched against (policy/managed.py): a
    scope naming any of them governs the workspace."""
    found: list[str] = []
    configured = read_git(root, "config", "--get-regexp", r"^remote\..*\.(url|pushurl)$")
    for line in (configured or "").splitlines():
        _key, _, value = line.partition(" ")
        found.append(value.strip())
    for name in (read_git(root, "remote") or "").splitlines():
        for push in ((), ("--push",)):
            urls = read_git(root, "remote", "get-url", *push, "--all", name.strip())
            found.extend((urls or "").splitlines())
    return list(dict.fromkeys(strip_credentials(url.strip()) for url in found if url.strip()))
