"""The workspace at any step of an episode.

    workspace.py  Workspace: every file's text (editor buffers over a disk layer), workspace_at(step);
                  the memory and work caps every reader (verify, replay, report) replays under; keyframes
                  taken from it and restored into it
    keyframes.py  the workspace at a step from the latest keyframe before it (checkout); the states an
                  episode writer keeps keyframes with
    checkout.py   writing a reconstructed workspace into a directory, never anywhere else
"""
