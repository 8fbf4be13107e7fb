"""The bounds of the step vocabulary as numbers: what the step structs (schemas/steps/) enforce, and what
the bridge checks before it builds a step and a chunk reader before it makes one. No imports, so a reader
of chunk columns (collector/episode/outline.py) loads no model."""

from __future__ import annotations

MAX_POSITION = 2**31  # a line or character number
MAX_MILLIS = 2**53  # a time in ms
TEXT_MAX = 64 * 1024 * 1024  # characters of a file's text, an edit's inserted text
SHORT_TEXT_MAX = 64 * 1024  # characters of a note, a task statement, a message
PATH_MAX = 4096  # characters of a workspace-relative path
MAX_CHANGES = 100_000  # content changes in one edit
MAX_COMMIT_FILES = 100_000  # files a git step lists (a commit's; the git watcher lists no more)
MAX_DIAGNOSTICS = 10_000  # diagnostics in one step
MAX_TARGETS = 1000  # paths an agent step's tool call names
LABEL_MAX = 200  # characters of an agent step's label (its session, tool, detail)
