"""Which repository a git remote names, whatever form its URL takes: `HOST/PATH`, the scheme, user, port,
`.git` and a trailing `/` left out, the host in lower case (`git@git.acme.example:platform/app.git`,
`git.acme.example:platform/app` (git's scp-like form without a user), `ssh://git@git.acme.example:22/platform/app`
and `https://git.acme.example/platform/app.git` are all `git.acme.example/platform/app`), and the path as
the server resolves it (`HOST//platform/./x/../app`, and in a URL `%61pp` or a host's `%2E`, are
`HOST/platform/app`: a repository is known by what it names, not by how it is spelt). The managed policy's
`shared_remotes` are matched by it, and so are the `remotes` of its `[[scope]]` sections (`scope_matches`),
which may also name every repository of a host (`git.acme.example/*`) or below an owner
(`github.com/acme/*`): hosts compared without case, paths with case unless the scope says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# git's scp-like form: a colon before any slash (`[USER@]HOST:PATH`); a one-letter host is a Windows drive
_SCP = re.compile(r"^(?:[^/@:]+@)?([^:/@]{2,}):(.*)$")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def remote_key(remote: str) -> str:
    """The repository `remote` names, as `HOST/PATH` (see the module docstring); a path without a host
    (a local clone's folder) is `/PATH`."""
    remote = remote.strip()
    scp = None if _URL.match(remote) else _SCP.match(remote)
    if scp is not None:
        host, path = scp.group(1), scp.group(2)
    elif "://" in remote:
        try:
            parts = urlsplit(remote)
            host, path = _unescaped(parts.hostname or ""), _unescaped(parts.path)
        except ValueError:
            host, path = "", remote
    else:
        host, path = "", remote
    return f"{host.lower().rstrip('.')}/{_resolved(path).removesuffix('.git').rstrip('/')}"


def _unescaped(text: str) -> str:
    """A URL's `text` with each percent-escaped unreserved character decoded (RFC 3986 6.2.2.2: `%61` is
    `a`), other escapes kept, in upper case (`%2f` is `%2F`, never a `/`)."""
    def one(found: re.Match[str]) -> str:
        char = chr(int(found.group(1), 16))
        return char if char in _UNRESERVED else found.group(0).upper()

    return _ESCAPE.sub(one, text)


def _resolved(path: str) -> str:
    """`path` as the server resolves it, without its leading and trailing `/`: empty and `.` segments
    dropped, a `..` taking the segment before it and never going above the root (as curl sends a URL, and
    as a folder is found)."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            del kept[-1:]
        elif segment not in ("", "."):
            kept.append(segment)
    return "/".join(kept)


def is_shared(remote: str | None, shared: Iterable[str]) -> bool:
    """Whether `remote` names one of the repositories `shared` lists (False without a remote)."""
    if not remote or not remote.strip():
        return False
    key = remote_key(remote)
    return any(remote_key(each) == key for each in shared)


def pattern_key(pattern: str) -> tuple[str, str, bool]:
    """A scope's remote pattern as (host, path, below): `below` when it ends in `/*` (every repository
    under `path`, the whole host when `path` is empty). A pattern without a scheme or a user (`HOST/PATH`)
    is read as `https://HOST/PATH`."""
    text = pattern.strip().rstrip("/")
    below = text.endswith("/*") or text.endswith(":*")
    if below:
        text = text[:-2]
    if not _URL.match(text) and _SCP.match(text) is None:
        text = f"https://{text}"
    host, _, path = remote_key(text).partition("/")
    return host, path, below


def scope_matches(patterns: Iterable[str], remotes: Iterable[str], *, ignore_path_case: bool = False) -> bool:
    """Whether any of `remotes` (a workspace's) names a repository one of `patterns` (a scope's `remotes`)
    names: the same host whatever its case, the same path (with case unless `ignore_path_case`), or one
    below a pattern's path ending in `/*`. A remote without a host (a local folder) matches none."""
    wanted = [pattern_key(pattern) for pattern in patterns]
    for remote in remotes:
        if not remote or not remote.strip():
            continue
        host, _, path = remote_key(remote).partition("/")
        if not host or not path:
            continue
        for want_host, want_path, below in wanted:
            if host != want_host:
                continue
            have, want = (path.casefold(), want_path.casefold()) if ignore_path_case else (path, want_path)
            if (have.startswith(f"{want}/") or not want) if below else have == want:
                return True
    return False
