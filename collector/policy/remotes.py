"""Which repository a git remote names, whatever form its URL takes: `HOST/PATH`, the scheme, user, port,
`.git` and a trailing `/` left out, the host in lower case (`git@git.acme.example:platform/app.git`,
`ssh://git@git.acme.example:22/platform/app` and `https://git.acme.example/platform/app.git` are all
`git.acme.example/platform/app`). The managed policy's `shared_remotes` are matched by it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_SCP = re.compile(r"^[^/@:]+@([^:/]+):(.*)$")


def remote_key(remote: str) -> str:
    """The repository `remote` names, as `HOST/PATH` (see the module docstring); a path without a host
    (a local clone's folder) is `/PATH`."""
    remote = remote.strip()
    scp = _SCP.match(remote)
    if scp is not None:
        host, path = scp.group(1), scp.group(2)
    elif "://" in remote:
        parts = urlsplit(remote)
        host, path = parts.hostname or "", parts.path
    else:
        host, path = "", remote
    return f"{host.lower()}/{path.strip('/').removesuffix('.git').rstrip('/')}"


def is_shared(remote: str | None, shared: Iterable[str]) -> bool:
    """Whether `remote` names one of the repositories `shared` lists (False without a remote)."""
    if not remote or not remote.strip():
        return False
    key = remote_key(remote)
    return any(remote_key(each) == key for each in shared)
