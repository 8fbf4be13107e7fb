"""What the parts of the capture share: the open documents, the workspaces they lie in, and the recorder
their steps go to, with the position encodings a step is sent in besides the negotiated one.

Text sync (capture/sync.py), the check at save (capture/resync.py), offers (authorship/offer_steps.py), file
operations (capture/files.py) and the handler table (capture/handlers.py) each hold one `Tracking`; all of
them run on the one thread that handles the editor's messages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsp_bridge.documents.tracked import ENCODINGS, TrackedDocument, TrackedDocuments
from lsp_bridge.documents.workspaces import Located, Workspaces
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import close_step
from schemas.steps import Step

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

log = logging.getLogger(__name__)


class Tracking:
    def __init__(self, recorder: Recorder, workspaces: Workspaces, documents: TrackedDocuments) -> None:
        self.recorder = recorder
        self.workspaces = workspaces
        self.documents = documents

    def targets(self, root: Path) -> tuple[PositionEncoding, ...]:
        """The encodings besides the negotiated one a step for this workspace is also recorded in."""
        wanted = self.recorder.encodings_for(root)  # () once the session records in the editor's encoding
        encoding = self.documents.encoding
        return tuple(e for e in ENCODINGS if e in wanted and e != encoding) if wanted else ()

    def record(self, root: Path, at: int, step: Step, paths: tuple[str, ...],
               variants: dict[str, Step] | None = None) -> None:
        self.recorder.record(root, Outgoing(at, step, variants or None, paths))

    def still_there(self, doc: TrackedDocument, at: int) -> bool:
        """Whether an open document still lies where it did; if not (a folder on its way became a link,
        out of the workspace or elsewhere in it), it is closed and what the editor sends is not recorded."""
        if self.workspaces.locate(doc.uri, fresh=True) == Located(doc.root, doc.path):
            return True
        log.warning("codetape: %s does not lie in the workspace where it did (a link?): closed", doc.path)
        del self.documents.by_uri[doc.uri]
        self.record(doc.root, at, close_step(doc.path), (doc.path,))
        return False
