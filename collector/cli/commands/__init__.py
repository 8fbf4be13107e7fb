"""One module per `codetape` command. Each exposes `register(subparsers)` and sets `func` on its parser.

`func(args) -> int` returns the exit code; it raises CodetapeError for anything a person must fix.
"""
