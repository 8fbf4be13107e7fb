"""The AI agents a developer works with (Claude Code, Codex CLI, Cursor, Gemini CLI, opencode), through
their own hooks.

    payloads.py   what each agent passes its hooks on stdin (the catalogue: tests/fixtures/agents/README.md),
                  as codetape's `agent` step; and the installed hook itself, run by path (standard library
                  only, and collector/protocol/wire.py loaded by path): one step to the collector, never in
                  the agent's way
    configs.py    where and how each agent reads its hooks (`codetape agent hook install|uninstall`)
    codex_trust.py  Codex's trust in codetape's hooks (read only, never written), and whether they are called
    managed_hooks.py  managed settings that let only managed hooks run, and codetape's hook in managed form
"""
