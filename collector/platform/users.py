"""This machine's account of a user: login name and home directory from the password database."""

from __future__ import annotations

import os
import sys


def account(uid: int | None = None) -> tuple[str, str] | None:
    """(login name, home directory) of the account `uid` (default: this process's), None when the
    password database does not know it. Windows has no password database: None there (its names come
    from the environment, USERNAME and USERPROFILE)."""
    if sys.platform == "win32":
        return None
    # POSIX only
    import pwd

    try:
        entry = pwd.getpwuid(os.getuid() if uid is None else uid)
    except KeyError:
        return None
    return entry.pw_name, entry.pw_dir
