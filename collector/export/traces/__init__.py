"""Traces: the agent trajectory formats (docs/exports.md: atif, swe-messages, agent-trace).

    base/           what the family shares: ATIF's steps, swe-messages' tool calls
    atif.py         atif: an Agent Trajectory Interchange Format trajectory per episode
    swe_messages.py swe-messages, swe-messages-developer: a row of tool-call messages per task
    agent_trace.py  agent-trace: an Agent Trace record per commit, who wrote which of its lines
"""
