"""A notebook's outputs kept out at the seal unless the `notebook_outputs` channel is on.

Every text of a `.ipynb` on disk the episode holds (a `file_change`'s text, a snapshot's file) has its
outputs, execution counts and kernel metadata masked (collector/redact/notebook_outputs.py); a save's
sha256 follows the masked text, as it follows a redacted one, so `verify` replays it. At the end one
`redaction` step per placeholder says it happened, and a text that could not be read as a notebook,
masked whole, is logged in one line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from msgspec.structs import replace

from collector.redact.notebook_outputs import CHANNEL, NotebookMask
from collector.text.digest import sha256_text
from collector.text.notebooks import is_notebook
from schemas import Step
from schemas.steps import FileChangeStep, GapStep, RedactionStep

log = logging.getLogger(__name__)


def shares_outputs(channels: Sequence[str]) -> bool:
    """Whether these channels let an episode keep its notebooks' outputs (off unless listed)."""
    return CHANNEL in channels


def mask_notebooks(steps: Iterator[Step], mask: NotebookMask | None = None) -> Iterator[Step]:
    """`steps` with every notebook text on disk masked, then one `redaction` step per placeholder."""
    mask = mask if mask is not None else NotebookMask()
    last = 0
    for step in steps:
        last = step.t_ms
        match step:
            case FileChangeStep(path=path) if is_notebook(path) or is_notebook(step.new_path or ""):
                yield _file_change(step, mask)
            case GapStep(state=state) if state is not None and step.on_disk_only \
                    and any(is_notebook(file.path) for file in state):
                yield replace(step, state=[
                    replace(file, text=mask.mask(file.text, file.path))
                    if file.text is not None and is_notebook(file.path) else file for file in state])
            case _:  # every other step holds no notebook text on disk
                yield step
    for line in mask.unreadable:
        log.warning("%s", line)
    for placeholder, count in mask.written.items():
        rule = placeholder.removeprefix("«redacted:").rsplit(":", 1)[0]
        yield RedactionStep(t_ms=last, source="redact", rule=rule, placeholder=placeholder, count=count)


def _file_change(step: FileChangeStep, mask: NotebookMask) -> FileChangeStep:
    what = step.new_path or step.path
    update: dict[str, object] = {}
    if step.text is not None:
        text = mask.mask(step.text, what)
        if text != step.text:
            update["text"] = text
            if step.sha256 is not None and step.sha256 == sha256_text(step.text):
                update["sha256"] = sha256_text(text)
    return replace(step, **update) if update else step
