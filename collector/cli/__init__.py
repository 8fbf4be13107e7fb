"""The `codetape` command, the top layer: nothing imports it.

    main.py       the entry point: argument parsing, the one place errors become a `codetape:` line
    progress.py   progress bars on stderr for long work
    commands/     one module per command, each `register(subparsers)` and `run(args) -> exit code`

Start-up is part of every command a developer types, so the imports here follow one rule instead of a
reason each: a command's module imports at its top only what `register` needs (argparse, the command's
own constants), and what the command does is imported in the function that does it. `--help`, a usage
error and every other command then never load it (tests/unit/docs/test_local_imports.py exempts
collector/cli/ from its per-import reasons for this).
"""
