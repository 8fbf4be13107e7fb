"""Compiled and cache files tools write on their own (`__pycache__/`, `*.pyc`, `.pytest_cache/`,
`node_modules/`, ...): never recorded where git does not track them, even with no `.gitignore` to say so.

A scratch project (`git init`, `codetape init`, no `.gitignore`) would otherwise share every `.pyc` a test
run leaves. The list is stated here and in docs/never-recorded.md; what git tracks under such a name (a
vendored `node_modules/` committed on purpose) is content, and is recorded as any file is.
"""

from __future__ import annotations

# folders holding only what a tool builds or caches
FOLDERS = frozenset({
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox",
    "node_modules", ".parcel-cache", ".next", ".gradle",
})
# files a compiler writes beside their source
SUFFIXES = (".pyc", ".pyo", ".class", ".o")


def noise_prefix(relpath: str) -> str | None:
    """The part of a clean workspace-relative path that makes it build noise (its first folder named in
    FOLDERS, or the path itself for a compiled file's suffix), or None when it is not."""
    parts = relpath.split("/")
    for depth, part in enumerate(parts):
        if part in FOLDERS:
            return "/".join(parts[: depth + 1])
    return relpath if parts[-1].endswith(SUFFIXES) else None


def never_recorded() -> str:
    """The list in a line, for the review to say what no episode holds."""
    folders = ", ".join(f"{name}/" for name in sorted(FOLDERS))
    files = ", ".join(f"*{suffix}" for suffix in SUFFIXES)
    return f"compiled and cache files git does not track ({folders}, {files}): docs/never-recorded.md"
