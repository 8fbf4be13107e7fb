"""The terminal: command lines a developer runs, from the shell hook or `codetape run`, as `command` steps.

    shell_hook.py    the snippets `codetape hook bash|zsh` prints (builtins only at the prompt)
    recorder.py      the shell hook's recorder: command lines spooled by the shell -> `command` steps
    __main__.py      `python -m collector.sources.shell`: the recorder, as the hook starts it
    passthrough.py   `codetape run`: a command run transparently, its output's tail kept
    own_commands.py  codetape's own commands, which are not the developer's work and are not recorded

They run in the developer's processes and send their steps over the collector socket (collector.protocol).
"""
