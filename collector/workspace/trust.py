"""Whether a workspace's `.codetape.toml` is the user's own act: a regular file they own that nobody
else can write. A settings file planted by another account (in a shared, world-writable directory, say)
or made group-writable is ignored, and `codetape status` says why."""

from __future__ import annotations

import stat
from pathlib import Path

from collector.platform.files import owned_by_me, writable_by_others

SETTINGS_FILE = ".codetape.toml"  # schemas.settings.SETTINGS_FILE, without importing the models (every
#                                   command and the shell hook ask whether a folder is opted in)


def settings_problem(root: Path) -> str | None:
    """Why `root`'s `.codetape.toml` cannot opt it in, or None when it can."""
    target = root / SETTINGS_FILE
    try:
        info = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return f"{target} does not exist"
    except OSError as exc:
        return f"{target} cannot be checked ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return f"{target} is a symbolic link; the settings must be a file of your own"
    if not stat.S_ISREG(info.st_mode):
        return f"{target} is not a regular file"
    if not owned_by_me(info):
        return f"{target} belongs to another user (uid {info.st_uid})"
    if writable_by_others(info):
        return f"{target} is writable by group or others; fix it with: chmod go-w {target}"
    return None
