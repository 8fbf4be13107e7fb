"""Which workspaces are opted in, and who they are.

    find.py       find_workspace(path, home): the nearest opted-in folder (registered, settings your own)
    trust.py      settings_problem(root): why a `.codetape.toml` is not the user's own act, or None
    registry.py   the workspaces this user opted in with `codetape init` (watched whenever the collector runs)
    identity.py   the episode header's workspace identity: folder name, git remote (no credentials), HEAD
    beneath.py    files below a root reached without following any link: how every reader opens them
"""
