"""`git`: a git operation observed in the workspace's repository."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import Model, RelPath, ShortText, StepBase

GitOp = Literal[
    "commit", "checkout", "branch_create", "branch_delete", "merge", "rebase", "reset",
    "stash", "cherry_pick", "fetch", "pull", "tag", "ref_update",
]
Sha = Annotated[str, Field(pattern=r"^[0-9a-f]{7,64}$")]


class GitFileStat(Model):
    path: RelPath
    added: int = 0
    deleted: int = 0
    change: Literal["A", "M", "D", "R", "C", "T", "U", "X"] = "M"
    # The name is not UTF-8: `path` shows each byte that is not as `%XX`, and each `%` as `%25`.
    escaped: bool = False


class GitStep(StepBase):
    kind: Literal["git"] = "git"
    op: GitOp
    sha: Sha | None = None
    message: ShortText | None = None
    parents: Annotated[list[Sha], Field(max_length=64)] = []
    files: Annotated[list[GitFileStat], Field(max_length=100_000)] = []
    ref: str | None = Field(default=None, max_length=1024)
    old: Sha | None = None
    new: Sha | None = None
    detail: ShortText | None = None
