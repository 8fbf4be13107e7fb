"""Jupyter notebooks' paths: a notebook on disk, and jupyterlab-lsp's virtual document that mirrors it.

jupyterlab-lsp gives the language server one document per notebook, `.virtual_documents/REL`, mirroring
the notebook REL under Jupyter's root (lsp_bridge/documents/workspaces.py locates it; its cells:
notebook_cells.py).
"""

from __future__ import annotations

VIRTUAL_DOCUMENTS = ".virtual_documents"  # jupyter-lsp's shadow folder (the file watcher's TOOL_FOLDERS)
NOTEBOOK_SUFFIX = ".ipynb"


def is_notebook(path: str) -> bool:
    """Whether `path` names a notebook file (its virtual document's path included)."""
    return path.lower().endswith(NOTEBOOK_SUFFIX)


def mirrored(path: str) -> str | None:
    """The notebook a virtual document's path mirrors (`.virtual_documents/a/nb.ipynb`: `a/nb.ipynb`),
    None when `path` is not one."""
    parts = path.split("/")
    if not path.endswith(NOTEBOOK_SUFFIX) or VIRTUAL_DOCUMENTS not in parts[:-1]:
        return None
    return "/".join(parts[parts.index(VIRTUAL_DOCUMENTS) + 1:])
