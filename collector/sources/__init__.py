"""Capture outside the editor: what a developer does in git, the work tree, the terminal, test runs and the
AI agents, by source.

    git/          the git watcher: reflogs and ref snapshots -> `git` steps; the tracked files at the start
    files/        the file watcher: the work tree -> `file_change` / `gap`; the observer and debounce both
                  watchers use
    shell/        the shell hook and its recorder, `codetape run`: command lines -> `command` steps
    testruns/     test runs -> `test_run` steps: JUnit reports, `go test -json`, what launchers add for pytest
    agents/       the AI agents' hooks (Claude Code, Codex CLI, Cursor, Gemini CLI, opencode) -> `agent` steps
    watchers.py   start_watchers(root, policy, emit): the watchers of a session's recorded channels
    emit.py       what a watcher is (start, settle, stop, failure) and the callback it feeds
    pytest_path/  the plugin any interpreter's pytest loads (codetape_pytest: stdlib only, any syntax): each
                  test session becomes one test_run step, sent over the socket as JSON
    pytest_plugin.py  codetape's own `pytest11` entry point: the same plugin, told this home's socket

The pytest plugin's two files and the agent hook (agents/payloads.py) stay where they were installed: a
shell's hook and the editors put `pytest_path/` on `PYTHONPATH`, an environment's metadata names
`pytest_plugin` as its entry point, and an agent runs the hook file by path. Those two clients import no
codetape; the socket's framing and the settings-root walk they share is collector/protocol/wire.py, which
each loads by path.

Watchers run inside the collector and feed `emit(at_ms, step)` from their own threads (steps in JSON form,
no `t_ms`, paths workspace-relative POSIX). The others run in the developer's processes and send steps
over the collector socket (collector.protocol). The watchers are imported when started, so `codetape run`
and the shell recorder stay light. The layers: watchers.py over git/ over files/ over emit.py; shell/ over
testruns/; agents/ apart (pyproject.toml's import-linter contract).
"""
