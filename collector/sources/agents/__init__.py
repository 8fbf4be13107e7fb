"""The AI agents a developer works with (Claude Code, Codex CLI, Cursor), through their own hooks.

    payloads.py   what each agent passes its hooks on stdin, as codetape's `agent` step; and the installed
                  hook itself, run by path (standard library only): one step to the collector, never in
                  the agent's way
    configs.py    where and how each agent reads its hooks (`codetape agent hook install|uninstall`)
    codex_trust.py  Codex's trust in codetape's hooks (read only, never written), and whether they are called
    managed_hooks.py  managed settings that let only managed hooks run, and codetape's hook in managed form
"""
