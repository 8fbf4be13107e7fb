"""An episode's bursts and steps as ATIF steps (Agent Trajectory Interchange Format, v1.8): docs/exports.md
says which step each becomes.

`AtifSteps` turns each item of the replay (an edit burst or a single step, edits/base/bursts.py) into
its step, or into an observation on the step before, which is held until the next one starts so that the
observations that follow it can still be added (at most `MAX_RESULTS`, the rest counted in its
`extra`). The tools the developer used are declared once, `TOOL_DEFINITIONS`. An `edit_file` step's
diff is coarse when a smallest diff would have cost more than the episode's allowance (allowance.py),
and left out in a file too large to diff (bursts.py MAX_TEXT).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, assert_never

from collector.export.edits.base.bursts import MAX_TEXT, Burst, Item, Single, landed
from collector.export.timestamps import utc_at
from collector.text.linediff import DiffWork
from schemas import EpisodeHeader
from schemas import steps as kinds

MAX_RESULTS = 1000
MAX_DIAGNOSTICS = 200  # items listed per diagnostics observation
SEVERITY = {1: "error", 2: "warning", 3: "information", 4: "hint"}


def _tool(name: str, description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": properties, "required": list(properties)[:1]}}}


_TEXT, _TEXTS = {"type": "string"}, {"type": "array", "items": {"type": "string"}}
TOOL_DEFINITIONS = [
    _tool("read_file", "Open a workspace file in the editor; returns its text.",
          path={**_TEXT, "description": "the file, relative to the workspace"}),
    _tool("edit_file", "Change a workspace file in the editor by a unified diff.",
          path={**_TEXT, "description": "the file, relative to the workspace"},
          diff={**_TEXT, "description": "the unified diff of the change"}),
    _tool("run_tests", "Run the project's tests; returns the counts and each test that did not pass.",
          framework={**_TEXT, "description": "the test runner, e.g. pytest"},
          args={**_TEXTS, "description": "its arguments"}),
    _tool("bash", "Run a shell command; returns its exit code and the tail of its output.",
          command={**_TEXT, "description": "the command line"},
          cwd={**_TEXT, "description": "the directory it ran in"}),
    _tool("git", "A git operation (commit, checkout, merge, ...); returns the files it touched.",
          op={**_TEXT, "description": "the operation"}, ref=_TEXT, sha=_TEXT, message=_TEXT),
    _tool("agent_tool", "A tool an AI agent the developer works with ran (its hooks said so).",
          agent={**_TEXT, "description": "the agent: claude-code, codex, cursor, gemini-cli"},
          tool={**_TEXT, "description": "the agent's name of the tool"},
          targets={**_TEXTS, "description": "the files it named"},
          command={**_TEXT, "description": "a shell tool's command line"}),
    _tool("write_file", "An AI agent's write of a workspace file on disk, as a unified diff.",
          path={**_TEXT, "description": "the file, relative to the workspace"},
          diff={**_TEXT, "description": "the unified diff of what it wrote"}),
]


@dataclass
class _Pending:
    """A step not yet written: observations may still arrive (`observer`: it takes them)."""

    step: dict[str, Any]
    observer: bool = False
    results: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    omitted: int = 0

    def observe(self, result: dict[str, Any], key: tuple[str, str] | None = None) -> None:
        calls = self.step.get("tool_calls")
        if calls and "source_call_id" not in result:  # what came back after the step's call
            result = {"source_call_id": calls[0]["tool_call_id"], **result}
        if key is not None and key in self.diagnostics:
            self.diagnostics[key] = result  # a newer set for the same file and origin replaces the older
        elif len(self.results) + len(self.diagnostics) >= MAX_RESULTS:
            self.omitted += 1
        elif key is not None:
            self.diagnostics[key] = result
        else:
            self.results.append(result)

    def done(self, step_id: int) -> dict[str, Any]:
        step = {"step_id": step_id, **_present(self.step)}
        step["extra"] = _present(self.step["extra"])
        ordered = sorted((*self.results, *self.diagnostics.values()),
                         key=lambda result: result["extra"].get("t_ms", -1))  # the call's own result first
        results = [_present({**result, "extra": _present(result["extra"])}) for result in ordered]
        if results:
            step["observation"] = {"results": results}
        if self.omitted:
            step["extra"]["omitted_results"] = self.omitted
        return step


class AtifSteps:
    """Feed items in order, take the finished ATIF steps (numbered from 1) as they come."""

    def __init__(self, header: EpisodeHeader, work: DiffWork | None = None) -> None:
        self.header, self.work = header, work
        self.count = 0
        self._calls = 0
        self._pending: _Pending | None = None

    def feed(self, item: Item) -> Iterator[dict[str, Any]]:
        if isinstance(item, Burst):
            arguments = {"path": item.path} if item.too_large else {"path": item.path, "diff": item.diff()}
            yield from self._start(self._call(item.start_ms, "edit_file", arguments, end_t_ms=item.end_ms,
                                              steps=[item.first, item.last], edit_steps=item.edits,
                                              coarse_diff=item.coarse or None,
                                              diff_omitted=item.too_large or None))
            return
        step = item.step
        if isinstance(step, kinds.FileChangeStep) and step.origin == "agent" and step.text is not None:
            yield from self._start(self._written(item, step, step.text))
            return
        if isinstance(step, kinds.AgentStep) and step.event == "tool_result" and self._pending is not None \
                and _calls(self._pending) in AGENT_TOOLS:  # (the result of the agent's call, or of its write)
            self._pending.observe({"content": f"{step.tool or 'tool'} done", "extra": {
                "t_ms": step.t_ms, "steps": [item.index], "hook": step.hook}})
            return
        if isinstance(step, kinds.DiagnosticsStep | kinds.FileChangeStep):
            if self._pending is None or not self._pending.observer:
                said = step.kind.replace("_", " ")
                yield from self._start(self._plain(item, "system", said, observer=True))
            assert self._pending is not None
            key = (step.path, step.origin) if isinstance(step, kinds.DiagnosticsStep) else None
            self._pending.observe(_observation(item), key)
            return
        begun = self._begun(item)
        if begun is not None:
            yield from self._start(begun)

    def finish(self) -> Iterator[dict[str, Any]]:
        if self._pending is not None:
            self.count += 1
            yield self._pending.done(self.count)
            self._pending = None

    def _start(self, pending: _Pending) -> Iterator[dict[str, Any]]:
        yield from self.finish()
        self._pending = pending

    def _begun(self, item: Single) -> _Pending | None:
        """The ATIF step a step begins, or None for steps without a counterpart."""
        step = item.step
        match step:
            case kinds.OpenStep():
                pending = self._call(step.t_ms, "read_file", {"path": step.path}, steps=[item.index])
                return _result(pending, step.text)
            case kinds.TaskStep(action="start"):
                return self._plain(item, "user", step.statement or "", task="start")
            case kinds.TaskStep():
                return self._plain(item, "system", "task done", task="done", outcome=step.outcome)
            case kinds.NoteStep():
                return self._plain(item, "agent", step.text, note=True)
            case kinds.AgentStep(event="prompt"):
                return self._plain(item, "user", step.prompt or "", agent=step.agent,
                                   agent_session=step.session, prompt_left_out=step.prompt is None or None)
            case kinds.AgentStep(event="tool_call" | "tool_result"):
                arguments = _present({"agent": step.agent, "tool": step.tool, "targets": step.targets or None,
                                      "command": step.command_line})
                return self._call(step.t_ms, "agent_tool", arguments, steps=[item.index], agent=step.agent,
                                  agent_session=step.session, hook=step.hook)
            case kinds.AgentStep():
                said = f"{step.agent} {step.event.replace('_', ' ')}" + \
                    (f": {step.detail}" if step.detail else "")
                return self._plain(item, "system", said, agent=step.agent, agent_session=step.session)
            case kinds.GapStep():
                detail = f": {step.detail}" if step.detail else ""
                files = len(step.state or [])
                said = {"resync": f"the editor's text taken again{detail}",
                        "snapshot": f"the repository's tracked files at the start ({files}){detail}",
                        }.get(step.reason, f"not recorded ({step.reason.replace('_', ' ')}){detail}")
                return self._plain(item, "system", said, gap=step.reason, until_ms=step.until_ms,
                                   lost_steps=step.lost_steps)
            case kinds.CommandStep():
                line = step.command_line if step.command_line is not None else shlex.join(step.argv or [])
                pending = self._call(step.t_ms, "bash", {"command": line, "cwd": step.cwd},
                                     steps=[item.index], duration_ms=step.duration_ms)
                return _result(pending, step.output_tail, exit_code=step.exit_code)
            case kinds.TestRunStep():
                pending = self._call(step.t_ms, "run_tests", {"framework": step.framework, "args": step.args},
                                     steps=[item.index], duration_ms=step.duration_ms)
                return _result(pending, _outcomes(step), exit_status=step.exit_status)
            case kinds.GitStep():
                arguments = kinds.step_fields(step, ("kind", "t_ms", "source", "files"))
                pending = self._call(step.t_ms, "git", arguments, steps=[item.index])
                if step.files:
                    touched = (f"{f.change} {f.path} +{f.added} -{f.deleted}" for f in step.files)
                    _result(pending, "\n".join(touched))
                return pending
            case (kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep() | kinds.DiagnosticsStep()
                  | kinds.FileChangeStep() | kinds.CursorStep() | kinds.RedactionStep()
                  | kinds.OfferStep()):  # no ATIF step of its own
                return None
            case _:
                assert_never(step)

    def _written(self, item: Single, step: kinds.FileChangeStep, text: str) -> _Pending:
        """An agent's write to disk: a `write_file` call with the diff from the text it replaced."""
        large = len(text) > MAX_TEXT or len(item.before or "") > MAX_TEXT
        wrote = Burst(landed(step), item.index, item.index, step.t_ms, step.t_ms, item.before or "", None,
                      after=text, work=self.work, too_large=large)
        path = landed(step)
        arguments = {"path": path} if large else {"path": path, "diff": wrote.diff()}
        return self._call(step.t_ms, "write_file", arguments, steps=[item.index], origin="agent",
                          origin_detail=step.origin_detail, coarse_diff=(not large and wrote.coarse) or None,
                          diff_omitted=large or None)

    def _base(self, t_ms: int, source: str, message: str, **extra: Any) -> dict[str, Any]:
        return {"timestamp": utc_at(self.header, t_ms), "source": source, "message": message,
                "extra": {"t_ms": t_ms, **extra}}

    def _plain(self, item: Single, source: str, message: str, *, observer: bool = False,
               **extra: Any) -> _Pending:
        step = self._base(item.step.t_ms, source, message, steps=[item.index], **extra)
        return _Pending(step, observer=observer)

    def _call(self, t_ms: int, name: str, arguments: dict[str, Any], **extra: Any) -> _Pending:
        self._calls += 1
        step = self._base(t_ms, "agent", "", **extra)
        step["tool_calls"] = [{"tool_call_id": f"call_{self._calls}", "function_name": name,
                               "arguments": arguments}]
        return _Pending(step, observer=True)


AGENT_TOOLS = ("agent_tool", "write_file")


def _calls(pending: _Pending) -> str | None:
    """The function a pending step calls; None when it calls none."""
    calls = pending.step.get("tool_calls")
    return str(calls[0]["function_name"]) if calls else None


def _result(pending: _Pending, content: str | None, **extra: Any) -> _Pending:
    """`pending` with the result of its tool call observed."""
    call_id = pending.step["tool_calls"][0]["tool_call_id"]
    pending.observe({"source_call_id": call_id, "content": content, "extra": extra})
    return pending


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` without the ones that are None or an empty extra."""
    return {name: value for name, value in fields.items() if value is not None and value != {}}


def _outcomes(step: kinds.TestRunStep) -> str:
    """`2 passed, 1 failed` and a line per test that did not pass."""
    counts: dict[str, int] = {}
    for test in step.tests:
        counts[test.outcome] = counts.get(test.outcome, 0) + 1
    lines = [", ".join(f"{n} {outcome}" for outcome, n in counts.items()) or "no tests ran"]
    for test in step.tests:
        if test.outcome not in ("passed", "xfailed"):
            said = f": {test.summary}" if test.summary else ""
            lines.append(f"{test.outcome.upper()} {test.nodeid}{said}")
    return "\n".join(lines)


def _observation(item: Single) -> dict[str, Any]:
    step: kinds.Step = item.step
    extra: dict[str, Any] = {"t_ms": step.t_ms, "steps": [item.index]}
    if isinstance(step, kinds.DiagnosticsStep):
        lines = [f"{step.path}:{d.range.start.line + 1}:{d.range.start.character + 1}: "
                 f"{SEVERITY.get(d.severity or 0, 'diagnostic')}: {d.message}"
                 + (f" [{d.code}]" if d.code is not None else "") for d in step.items[:MAX_DIAGNOSTICS]]
        extra.update(kind="diagnostics", path=step.path, origin=step.origin, count=len(step.items))
        return {"content": "\n".join(lines), "extra": extra}
    assert isinstance(step, kinds.FileChangeStep)
    moved = f" -> {step.new_path}" if step.new_path is not None else ""
    extra.update(kind="file_change", omitted=step.omitted)
    return {"content": f"{step.change} {step.path}{moved}", "extra": extra}
