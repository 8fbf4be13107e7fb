"""What may be recorded and what may be shared, read from the files a person writes.

    toml.py       load_model(), parse_model(): the one TOML loader (parse, validate, one-line errors)
    config.py     CODETAPE_HOME/config.toml: load_config() for every stage, and changes one setting at a time
    globs.py      gitignore-style globs over workspace-relative paths
    recording.py  Policy: `.codetape.toml`, git's ignore rules, secret-ish files (never written)
    sharing.py    SigningPolicy: `[policy]` merged with CODETAPE_HOME/policy.toml and the managed policy
    managed.py    the organisation's /etc/codetape/policy.toml: root's, only tightens, refused fails closed
    remotes.py    which repository a git remote names, whatever its URL form (the managed `shared_remotes`)
    licence.py    which licence a repository's LICENSE / COPYING files are
"""
