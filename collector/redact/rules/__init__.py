"""Codetape's own rules: what a secret looks like, and where it stands.

    rule.py      one detector (`Rule`)
    builtin.py   the built-in rules (`BUILTIN`): the provider formats the engine does not run, and the
                 context rules (a name and its value, a URL's user info, a header, a private key)
    keywords.py  which names say a secret follows, and the test each asks of the value (`named`)
    values.py    is a value plausibly a secret: entropy, placeholders, code, random letters
    layouts.py   a name and its value in other syntaxes: ops files and logs, punctuation between,
                 a default declared with the name
    records.py   a name and its value apart: fields of a record, sibling XML elements, a REPL's
                 next line, a column of comma-separated rows
    places.py    a credential by its place: a URL's query or path, a command's argument
    unnamed.py   credentials no name says: by where they stand and by their look
    encoded.py   basic auth written out to be encoded, and credentials already in base64
"""
