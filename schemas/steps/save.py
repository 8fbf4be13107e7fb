"""`save`: the document was written to disk; `sha256` is the hash of the UTF-8 bytes saved.

`text` is present when the editor sent it (didSave includeText) and lets a reader resynchronise;
`head_text`, on the first step of the episode to give the file's text, whether that text is the file's in
the commit the header's `head_at_start` names (schemas/steps/base.py, `HeadText`);
`notebook`, on the save of a notebook's virtual document (jupyterlab-lsp's or VS Code's
`.virtual_documents/NAME.ipynb`),
the notebook file the save wrote, as the seal found it (collector/seal/cells.py), under the name it has
when typing goes on after the save: NAME, or the name the watcher saw it renamed to while jupyterlab-lsp
went on sending NAME (JupyterLab 4 saves a new notebook as `Untitled.ipynb`, then renames it).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.compiled import compile_module
from schemas.steps.base import HeadText, RelPath, Sha256Hex, StepBase, Text


class SaveStep(StepBase, tag="save", frozen=True, kw_only=True):
    kind: ClassVar[Literal["save"]] = "save"
    path: RelPath
    sha256: Sha256Hex | None = None
    text: Text | None = None
    head_text: HeadText | None = None
    notebook: RelPath | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
