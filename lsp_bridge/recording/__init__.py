"""The recording towards the collector, and what the editor is told of it.

spool.py     one workspace's steps waiting for the collector, and what could not be kept
recorder.py  `Recorder`: hands steps to the collector from a background thread, one session per workspace
status.py    `codetape/status`: what each editor shows about a workspace's recording
review.py    the review prompt when the collector seals an episode of this editor's workspace
"""
