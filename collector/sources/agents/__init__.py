"""The AI agents a developer works with (Claude Code, Codex CLI, Cursor), through their own hooks.

    payloads.py   what each agent passes its hooks on stdin, as codetape's `agent` step
    configs.py    where and how each agent reads its hooks (`codetape agent hook install|uninstall`)
    hook.py       the command the installed hook runs: one step to the collector, never in the agent's way
"""
