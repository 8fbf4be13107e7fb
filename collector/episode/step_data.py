"""A step's fields as the dataset's `data` column holds them (`step_data`), and `steps_sha256`, the hash of an
episode's steps in order (`StepsHash`): what a dataset's `steps` and `episodes` tables and the exports' split
(collector/export/split.py) share."""

from __future__ import annotations

import hashlib

import msgspec

from schemas.steps import STEP_TYPES, Step

_HEAD = len('{"kind":"","t_ms":,"source":"",')  # a step's encoding starts with these, values put in
_PATH_HEAD = len('"path":,')
_CUT_PATH = frozenset(kind for kind in STEP_TYPES if "path" in kind.__struct_fields__)


def _front_holds(kind: type[Step]) -> bool:
    """Whether a step type's encoding starts as step_data expects: `t_ms`, `source`, then `path` when it
    has one, each required (never left out as a default)."""
    front = ("t_ms", "source", "path") if kind in _CUT_PATH else ("t_ms", "source")
    fields = msgspec.structs.fields(kind)[:len(front)]
    return tuple(field.name for field in fields) == front and all(field.required for field in fields)


if not all(map(_front_holds, STEP_TYPES)):
    raise ImportError("step_data cuts t_ms, source and path from the front of a step's encoding: a step "
                      "type declares them in another order")
_ENCODE = msgspec.json.Encoder().encode


def step_data(step: Step) -> str:
    """The `data` column of a step: its fields as JSON but those with columns of their own (`kind`,
    `t_ms`, `source`, `path`), defaults left out. The step's own encoding (one call into msgspec) with
    those cut from its front, where they always are: the tag, then the base's fields, then `path` first
    of the fields of every kind that has one (_CUT_PATH, checked on import). Equal to encoding
    `step_fields(step, ("kind", "t_ms", "source", "path"))`, twice as fast as making that dict."""
    encoded = _ENCODE(step)
    head = _HEAD + len(step.kind) + len(str(step.t_ms)) + len(step.source)
    if type(step) in _CUT_PATH:
        head += _PATH_HEAD + len(_ENCODE(step.path))  # type: ignore[union-attr]
    return "{" + encoded[head:].decode() if len(encoded) > head else "{}"


class StepsHash:
    """SHA-256 over each step's kind, path and `step_data`, in order, not its time: episodes with the same
    steps (one session signed twice, or by two people) have the same `steps_sha256`."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def update(self, kind: str, path: str | None, data: str) -> None:
        self._digest.update(f"{kind}\x00{path or ''}\x00".encode())
        self._digest.update(data.encode("utf-8", "surrogatepass"))
        self._digest.update(b"\x00")

    def add(self, step: Step) -> None:
        path = getattr(step, "path", None)
        self.update(step.kind, path if isinstance(path, str) else None, step_data(step))

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
