"""The review's masks on names: the paths the steps are about, and what the header says of the workspace.

A path is masked where one of the review's rules matches it (`tests/test_acme.py` with `--redact acme`
becomes `tests/test_«redacted:custom-1:1».py`), with the placeholder the same value gets in every text.
Every path of the episode is worked out before the steps go by, from the path alone, so a file has one
name from its first step to its last and the episode still replays; two files that would end up under
one name are refused. The same goes for a command's directory, a commit's file list and a gap's files,
and for the names a language server or the editor gives (a diagnostic's origin, source and code, a
document's language). The header's workspace name, git remote and editor are masked the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, assert_never

from msgspec.structs import replace

from collector.redact.scanning.scanner import scan
from collector.redact.stream.buffer import placeholders_in
from collector.redact.stream.text import TextRedactor
from collector.review.errors import ReviewError
from schemas import ClientInfo, EpisodeHeader, Step
from schemas import steps as kinds


def path_names(paths: Iterable[str], redactor: TextRedactor) -> dict[str, str]:
    """Each of `paths` the review's rules match, and its masked name (registered with the redactor)."""
    renamed: dict[str, str] = {}
    for path in sorted(paths):
        found = scan(path, redactor.rules)
        if not found:
            continue
        out, last = [], 0
        for finding in found:
            out += [path[last:finding.start], redactor.secret(finding).placeholder]
            last = finding.end
        renamed[path] = "".join([*out, path[last:]])
    targets: dict[str, str] = {}
    for path in sorted(paths):
        target = renamed.get(path, path)
        if target in targets:
            raise ReviewError(f"masking paths would give {targets[target]!r} and {path!r} one name; "
                              "change the pattern so that they stay apart")
        targets[target] = path
    return renamed


def mask_names(steps: Iterable[Step], renamed: dict[str, str], redactor: TextRedactor,
               written: Counter[str]) -> Iterator[Step]:
    """`steps` with their paths renamed as `renamed` says, and the names around them masked; `written`
    counts the placeholders that puts into the steps."""
    def name(path: str) -> str:
        new = renamed.get(path, path)
        if new is not path:
            written.update(placeholders_in(new))
        return new

    def free(update: dict[str, Any], model: Any, *fields: str) -> None:
        for field in fields:
            text = getattr(model, field)
            new = redactor.redact(text) if isinstance(text, str) else text
            if new != text:
                written.update(placeholders_in(new))
                update[field] = new

    for step in steps:
        update: dict[str, Any] = {}
        path = getattr(step, "path", None)
        if isinstance(path, str) and path in renamed:
            update["path"] = name(path)
        match step:
            case kinds.FileChangeStep(new_path=str() as new_path) if new_path in renamed:
                update["new_path"] = name(new_path)
            case kinds.GapStep(state=list() as state) if any(file.path in renamed for file in state):
                update["state"] = [replace(file, path=name(file.path)) for file in state]
            case kinds.GitStep(files=files) if any(stat.path in renamed for stat in files):
                update["files"] = [replace(stat, path=name(stat.path)) for stat in files]
            case kinds.CommandStep():
                free(update, step, "cwd")
            case kinds.AgentStep(targets=targets) if any(target in renamed for target in targets):
                update["targets"] = [name(target) for target in targets]
            case kinds.DiagnosticsStep():
                free(update, step, "origin")
                items = []
                for item in step.items:
                    names: dict[str, Any] = {}
                    free(names, item, "source", "code")
                    items.append(replace(item, **names) if names else item)
                if any(new is not old for new, old in zip(items, step.items, strict=True)):
                    update["items"] = items
            case kinds.OpenStep():
                free(update, step, "language_id")
            case kinds.TestRunStep():
                free(update, step, "framework")
            case (kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep() | kinds.CursorStep()
                  | kinds.NoteStep() | kinds.TaskStep() | kinds.RedactionStep()
                  | kinds.OfferStep()):  # no name but its path (renamed above)
                pass
            # nothing renamed (the condition above did not hold)
            case kinds.GitStep() | kinds.FileChangeStep() | kinds.GapStep() | kinds.AgentStep():
                pass
            case _:
                assert_never(step)
        yield replace(step, **update) if update else step


def mask_header(header: EpisodeHeader, redactor: TextRedactor, written: Counter[str]) -> EpisodeHeader:
    """The header with the workspace's name and remote and the editors masked."""
    def free(text: str | None) -> str | None:
        new = None if text is None else redactor.redact(text)
        if new != text and new is not None:
            written.update(placeholders_in(new))
        return new

    def editor(client: ClientInfo) -> ClientInfo:
        return replace(client, name=free(client.name), version=free(client.version))

    workspace, client = header.workspace, header.client
    return replace(
        header,
        workspace=replace(workspace, root_name=free(workspace.root_name),
                          git_remote=free(workspace.git_remote)),
        client=None if client is None else editor(client),
        editors=None if header.editors is None else [editor(each) for each in header.editors])
