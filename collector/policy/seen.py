"""The home's record of the workspaces a managed policy's `[[scope]]` has governed (issue 106), so that a
scope keeps governing a repository whose remotes no longer name it (policy/reach.py):

    governed.json   (0600) JSON {"records": [{"file", "scope", "root", "commit", "heads", "since"}]}

one record per scope (its policy file and name) and workspace folder: `commit`, the first commit of the
workspace's history that no remote outside the scope reaches (None while it has none of its own), and
`heads`, the HEADs seen while the scope governed it (the last 1,000), which an episode's HEAD at start is
matched against when its workspace is not at hand. Written when a scope governs a workspace at opt-in, at
a seal, at signing and when `status` or `doctor` ask; read by the same. The collector runs as the user, so
she can delete it: docs/administrators.md says what that allows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collector.atomic import atomic_write
from collector.home import Home

NAME = "governed.json"
MAX_BYTES = 16 << 20
MAX_HEADS = 1_000


@dataclass(frozen=True)
class Record:
    """One scope's record of one workspace folder."""

    file: str
    scope: str
    root: str
    commit: str | None
    heads: tuple[str, ...]
    since: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "scope": self.scope, "root": self.root, "commit": self.commit,
                "heads": list(self.heads), "since": self.since}


def path(home: Home) -> Path:
    return home.root / NAME


def all_records(home: Home) -> list[Record]:
    """Every record (none when the file is missing or cannot be read)."""
    try:
        with open(path(home), "rb") as handle:
            data = json.loads(handle.read(MAX_BYTES))
    except (OSError, ValueError):
        return []
    found = []
    for item in data.get("records", []) if isinstance(data, dict) else []:
        try:
            found.append(Record(str(item["file"]), str(item["scope"]), str(item["root"]),
                                None if item.get("commit") is None else str(item["commit"]),
                                tuple(str(head) for head in item.get("heads", [])), str(item["since"])))
        except (KeyError, TypeError):
            continue
    return found


def records(home: Home, file: Path, scope: str) -> list[Record]:
    """The records of the scope `scope` of the policy file `file`."""
    return [record for record in all_records(home) if record.file == str(file) and record.scope == scope]


def record(home: Home, file: Path, scope: str, *, root: Path, commit: str | None,
           heads: Sequence[str]) -> None:
    """Record that the scope governs the workspace at `root` now (its own first commit, the HEADs seen): a
    new record, or the folder's one with the commit set once and the HEADs added; nothing written when
    the record already says so."""
    kept = all_records(home)
    key = (str(file), scope, str(root))
    old = next((each for each in kept if (each.file, each.scope, each.root) == key), None)
    if old is not None and all(head in old.heads for head in heads) and (old.commit is not None
                                                                         or commit is None):
        return
    before = () if old is None else tuple(head for head in old.heads if head not in heads)
    since = old.since if old is not None else datetime.now(UTC).isoformat(timespec="seconds")
    new = Record(str(file), scope, str(root), commit if old is None or old.commit is None else old.commit,
                 tuple(dict.fromkeys([*before, *heads]))[-MAX_HEADS:], since)
    others = [each for each in kept if (each.file, each.scope, each.root) != key]
    home.ensure(home.root)
    atomic_write(path(home), json.dumps({"records": [each.to_json() for each in [*others, new]]}, indent=1)
                 + "\n")


def recorded_for(home: Home, root: Path) -> list[Record]:
    """The records of the workspace folder `root` (what `status` and `doctor` compare with the scopes that
    govern it now)."""
    return [each for each in all_records(home) if each.root == str(root)]
