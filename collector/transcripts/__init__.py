"""Past agent sessions, as the agents keep them, made into unsigned episodes (`codetape import`).

    lines.py        a transcript's JSON lines, read a bounded line at a time
    said.py         what one transcript line said, as the agent's hook would have passed it (`Said`)
    claude_code.py  Claude Code's `~/.claude/projects/*/*.jsonl` as `Said`s
    codex.py        Codex's `~/.codex/sessions/**/rollout-*.jsonl` as `Said`s
    importer.py     `Said`s through the hooks' own reading and the collector's admission and seal
"""
