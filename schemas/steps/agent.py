"""`agent`: what an AI agent the developer works with reported through its hooks (`codetape agent hook`).

One step per hook call: `agent` names the agent (`claude-code`, `codex`, `cursor`, `gemini-cli`,
`opencode`), `hook` the agent's own name for the event (`UserPromptSubmit`, `PostToolUse`, `afterFileEdit`,
`AfterTool`, `tool.execute.after`, ...: the evidence), `event` what
it was in codetape's terms:

- `session_start`, `session_end`: the agent's session began or ended (`detail`: its source or reason);
- `prompt`: the developer submitted `prompt` to the agent (redacted at sealing like any text, and left
  out by the review when the developer asks: then the step stays without it);
- `tool_call`, `tool_result`: before and after the agent ran `tool` on `targets` (workspace-relative
  paths; paths outside the workspace or excluded by its policy are never written) or a shell
  `command_line`;
- `stop`: the agent finished answering (`detail`: its status, when it gives one);
- `permission_request`, `permission`: the agent asked the developer's client whether `tool` may run (on
  `targets`, or a shell `command_line`), and what the client answered (`detail`: the option's kind,
  `allow_once`, `allow_always`, `reject_once`, `reject_always`, or `cancelled`).

`acp` is an agent behind `codetape acp` (the Agent Client Protocol, lsp_bridge/modes/acp.py): its `hook` is
the protocol's method (`session/prompt`, `session/update`, `session/request_permission`,
`fs/write_text_file`), its `session_start` `detail` the agent's own name and version.

`session` is the agent's own id of the conversation, so steps of two sessions can be told apart.
`truncated` says the prompt or command line was longer than a step holds and was cut at a space.
The file writes that follow a tool call on a target, or a shell tool call, are `file_change` steps with
`origin` `agent` (collector/daemon/agent_claims.py says exactly when).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.limits import LABEL_MAX, MAX_TARGETS
from schemas.steps.base import RelPath, ShortText, StepBase, whole

AgentName = Literal["claude-code", "codex", "cursor", "gemini-cli", "opencode", "acp"]
AgentEvent = Literal["session_start", "prompt", "tool_call", "tool_result", "stop", "session_end",
                     "permission_request", "permission"]
# opencode's plugin events have dots: `tool.execute.before`
HookName = Annotated[str, msgspec.Meta(pattern=whole(r"^[A-Za-z][A-Za-z0-9_/.]{0,63}"))]
Label = Annotated[str, msgspec.Meta(pattern=whole(rf"^[^\x00-\x1f\x7f]{{1,{LABEL_MAX}}}"))]


class AgentStep(StepBase, tag="agent", frozen=True, kw_only=True):
    kind: ClassVar[Literal["agent"]] = "agent"
    agent: AgentName
    hook: HookName
    event: AgentEvent
    session: Label | None = None
    prompt: ShortText | None = None
    tool: Label | None = None
    targets: Annotated[list[RelPath], msgspec.Meta(max_length=MAX_TARGETS)] = []
    command_line: ShortText | None = None
    detail: Label | None = None
    truncated: bool = False


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
