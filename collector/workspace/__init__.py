"""Which workspaces are opted in, and who they are.

    find.py       find_workspace(path): the nearest folder holding `.codetape.toml`
    registry.py   the workspaces this user opted in with `codetape init` (watched whenever the collector runs)
    identity.py   the episode header's workspace identity: folder name, git remote (no credentials), HEAD
"""
