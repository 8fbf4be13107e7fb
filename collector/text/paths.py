"""The one rule for paths inside an episode: workspace-relative, POSIX, normalised, unable to escape.

The collector admits only such paths, `verify` refuses an episode holding another, and `checkout`
refuses to write one: absolute paths, `..` / `.` / empty segments, NUL bytes, backslashes, drive
letters, `.git` segments (git refuses them too) and over-long names.
"""

from __future__ import annotations

import re

_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_NAME_BYTES = 255


def path_problem(path: str) -> str | None:
    """Why `path` is not a clean workspace-relative path, or None when it is."""
    if "\x00" in path:
        return "it contains a NUL byte"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # a file name's bytes that are not UTF-8, decoded with surrogateescape
        return "its name is not UTF-8"
    if "\\" in path:
        return "it contains a backslash"
    if path.startswith("/"):
        return "it is absolute"
    if _DRIVE.match(path):
        return "it starts with a drive letter"
    parts = path.split("/")
    if ".." in parts:
        return "it has a '..' segment"
    if "" in parts or "." in parts:
        return "it is not a normalised relative path"
    if any(part.lower() == ".git" for part in parts):
        return "it writes into a .git directory"
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in parts):
        return f"a segment is longer than {MAX_NAME_BYTES} bytes"
    return None
