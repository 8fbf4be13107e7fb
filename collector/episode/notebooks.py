"""Which notebooks an episode holds as jupyterlab-lsp's virtual documents, whose typing is counted there.

jupyterlab-lsp gives the language server one document per notebook, `.virtual_documents/REL`, mirroring
the notebook REL under Jupyter's root (collector/text/notebooks.py). Its cells are typed there, as edits;
each save of REL then writes the same sources again as JSON, which `disk_write` would count as an outside
write. `Mirrors` sees the steps go by and says which notebooks on disk have their virtual document
in the episode, so whose-work counts leave their saves out (disk_writes.py; an agent's claimed write still
counts). A notebook renamed on disk keeps its virtual document (jupyterlab-lsp goes on sending the first
name, as for a new notebook renamed at its first save), so the name it is renamed to is one of them too,
as is the notebook each save of a virtual document names (`notebook`, told at the seal).
"""

from __future__ import annotations

from collector.text.notebooks import mirrored
from schemas import Step
from schemas import steps as kinds


class Mirrors:
    """The notebooks whose virtual documents the steps seen so far opened or edited."""

    def __init__(self) -> None:
        self.notebooks: set[str] = set()
        self._paths: set[str] = set()  # every path seen opened or edited (each edit: one set lookup)

    def see(self, step: Step) -> None:
        if isinstance(step, kinds.FileChangeStep) and step.change == "renamed" and step.new_path is not None \
                and step.path in self.notebooks:
            self.notebooks.add(step.new_path)
        elif isinstance(step, kinds.SaveStep) and step.notebook is not None:  # (the seal's: seal/cells.py)
            self.notebooks.add(step.notebook)
        elif isinstance(step, kinds.OpenStep | kinds.EditStep) and step.path not in self._paths:
            self._paths.add(step.path)
            notebook = mirrored(step.path)
            if notebook is not None:
                self.notebooks.add(notebook)

    def typed(self, step: kinds.FileChangeStep) -> bool:
        """Whether this write to disk is a notebook's save whose sources the virtual document holds as
        edits (not an agent's claimed write)."""
        return step.origin != "agent" and (step.new_path or step.path) in self.notebooks
