"""Capture outside the editor: what a developer does in git, the work tree, the terminal and test runs.

    watchers      start_watchers(root, policy, emit): the watchers of a session's recorded channels
    emit          what a watcher is (start, settle, stop, failure) and the callback it feeds
    observer      watchdog's observer for both watchers: walks without recursion, `failure()` if it stops
    git_watcher   .git -> reflog lines (reflog) + ref snapshots (gitread) -> operations (gitops, git_steps)
    gitdir        the repository git would use for a workspace, found without following a link
    file_watcher  the work tree -> file states (filestate) -> file_change / gap, bursts debounced (debounce)
    passthrough   `codetape run`: a command run transparently, its output tail kept
    shell_hook    the snippets `codetape hook bash|zsh` prints (builtins only at the prompt)
    shell         the shell hook's recorder: command lines spooled by the shell -> command steps
    pytest_path   the plugin any interpreter's pytest loads (codetape_pytest: stdlib only, any syntax):
                  each test session becomes one test_run step, sent over the socket as JSON
    pytest_env    what a launcher (`codetape run`, the hook, VS Code's terminals) adds so pytest finds it
    pytest_plugin codetape's own `pytest11` entry point: the same plugin, told this home's socket

Watchers run inside the collector and feed `emit(at_ms, step)` from their own threads (steps in JSON form,
no `t_ms`, paths workspace-relative POSIX). The others run in the developer's processes and send steps
over the collector socket (collector.protocol). The watchers are imported when started, so `codetape run`
and the shell recorder stay light.
"""
