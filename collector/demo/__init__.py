"""The main job: record a real session on a scratch project, end to end, and show its summary."""
