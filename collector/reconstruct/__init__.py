"""The workspace at any step of an episode.

    workspace.py  Workspace: every file's text (editor buffers over a disk layer), workspace_at(step)
    checkout.py   writing a reconstructed workspace into a directory, never anywhere else
"""
