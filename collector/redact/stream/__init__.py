"""The streaming keystroke layer: a stream of steps in, the same stream redacted out.

    steps.py      `redact_steps`: the window over the step redactor
    window.py     recent steps held back, so a secret found now is hidden in the steps before it
    pipeline.py   one step at a time: every channel, the editor buffers, what is on disk
    buffer.py     one editor buffer kept true and redacted (spans.py: hidden characters;
                  lineindex.py: offsets of positions)
    channels.py   the free-text channels of every step kind
    text.py       one text: the rules and the values already known, replaced by placeholders
    paths.py      secrets in file names
"""
