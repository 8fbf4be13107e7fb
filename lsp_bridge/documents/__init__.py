"""The documents the editor has open and where they lie: the state the capture's parts share.

tracked.py     `TrackedDocument`, the bridge's copy of a document; `TrackedDocuments`, all of them by URI
workspaces.py  `file://` URIs to opted-in workspaces and workspace-relative POSIX paths
tracking.py    `Tracking`: the documents, their workspaces and the recorder, as one handle for the capture
notebooks.py   a notebook's virtual document (jupyterlab-lsp): the notebook cell a change lies in
"""
