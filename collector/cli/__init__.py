"""The `codetape` command, the top layer: nothing imports it.

    main.py       the entry point: argument parsing, the one place errors become a `codetape:` line
    progress.py   progress bars on stderr for long work
    commands/     one module per command, each `register(subparsers)` and `run(args) -> exit code`
"""
