"""Every `codetape` command and its one-line help, so that `codetape --help` (and a mistyped command)
answers without importing any command's module. tests/unit/cli/test_table.py fails when a command's own
`register` says something else, or a command is missing here.
"""

from __future__ import annotations

import keyword

COMMANDS: dict[str, str] = {
    "acp": "record an ACP agent: run it behind codetape (-- AGENT ARGS)",
    "agent": "record what AI agents (Claude Code, Codex, Cursor, Gemini CLI, opencode) do",
    "bridge": "run the LSP bridge (observe mode, or proxy mode: -- CMD ARGS)",
    "cat": "print every step as one JSON object per line",
    "checkout": "write the reconstructed workspace after a step",
    "collector": "run the local collector (one per user)",
    "dataset": "build verified Parquet datasets from uploaded episodes",
    "config": "show or change your settings (config.toml), e.g. upload.to",
    "demo": "record a real session on a scratch project, end to end",
    "diff": "unified diff of the workspace between two steps or times",
    "discard": "delete an unsigned episode",
    "doctor": "say whether recording works here, and what keeps it from working",
    "enroll": "enrol with an issuer and fetch blindly authorised episode keys",
    "episodes": "list episodes (recording, sealed, signed, uploaded, revoked)",
    "export": "write episodes as jsonl, ATIF, zeta, zeta2, swe-messages, DPO pairs, KTO rows, stepwise "
              "supervision, Agent Trace or ProgSnap2 data",
    "gateway": "run the Oblivious HTTP gateway that stores unlinkable episodes",
    "hook": "print the shell hook that records terminal commands",
    "import": "make past Claude Code or Codex sessions episodes to review",
    "init": "opt a workspace in to recording (writes .codetape.toml)",
    "inspect": "summarise an episode",
    "issuer": "run an issuer that authorises per-episode keys blindly",
    "keys": "create or show your signing key",
    "note": "add a note to the recording",
    "pause": "pause recording in a workspace",
    "policy": "the managed policy in plain language (annex for a DPIA)",
    "replay": "watch an episode back (full-screen player, or --plain log)",
    "report": "write a self-contained HTML report of an episode",
    "resume": "resume recording (a paused workspace, or after collector stop)",
    "review": "review an episode: browse, trim, then sign, keep or discard",
    "revoke": "withdraw a signed episode, here and at every destination",
    "run": "run a command and record it",
    "seal": "seal the current episode of a workspace",
    "sign": "trim, sign and queue an episode for upload (needs --yes)",
    "stats": "your active time by workspace, language and day, and whose work it was",
    "status": "show the collector and what it is recording",
    "task": "mark the start or end of a task",
    "trust": "accept a workspace's .codetape.toml as it is now",
    "upload": "send signed episodes to the upload destination (file://, s3://)",
    "verify": "check that an episode is intact and replays exactly",
}


def module_of(command: str) -> str:
    """The module a command's `register` is in: its name, `_` after one that is a Python keyword
    (`import`)."""
    return f"collector.cli.commands.{command}{'_' if keyword.iskeyword(command) else ''}"
