"""`git`: a git operation observed in the workspace's repository."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.limits import MAX_COMMIT_FILES
from schemas.steps.base import RelPath, ShortText, StepBase, Struct, whole

GitOp = Literal[
    "commit", "checkout", "branch_create", "branch_delete", "merge", "rebase", "reset",
    "stash", "cherry_pick", "fetch", "pull", "tag", "ref_update",
]
Sha = Annotated[str, msgspec.Meta(pattern=whole(r"^[0-9a-f]{7,64}"))]


class GitFileStat(Struct, frozen=True, kw_only=True):
    path: RelPath
    added: int = 0
    deleted: int = 0
    change: Literal["A", "M", "D", "R", "C", "T", "U", "X"] = "M"
    # The name is not UTF-8: `path` shows each byte that is not as `%XX`, and each `%` as `%25`.
    escaped: bool = False


class GitStep(StepBase, tag="git", frozen=True, kw_only=True):
    kind: ClassVar[Literal["git"]] = "git"
    op: GitOp
    sha: Sha | None = None
    message: ShortText | None = None
    parents: Annotated[list[Sha], msgspec.Meta(max_length=64)] = []
    files: Annotated[list[GitFileStat], msgspec.Meta(max_length=MAX_COMMIT_FILES)] = []
    ref: Annotated[str, msgspec.Meta(max_length=1024)] | None = None
    old: Sha | None = None
    new: Sha | None = None
    detail: ShortText | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
