"""Text documents as editors and LSP see them, shared by the bridge, reconstruction and redaction.

    positions.py  position arithmetic in the utf-8 / utf-16 / utf-32 encodings, LSP's line breaks
    document.py   one document as a list of lines, edited in place with LSP content changes
    longline.py   a line too long to copy at each edit, held in pieces of a few thousand characters
    digest.py     sha256_text(): the content hash save steps carry
    paths.py      path_problem(): the one rule for paths an episode may hold
    linediff.py   unified diffs of two texts at a bounded cost (coarse past a budget)
    narrow.py     a whole-text change as the one ranged change that makes the same text
    oneline.py    one_line(): text shown on one printable line (control characters escaped), cut to a limit
"""
