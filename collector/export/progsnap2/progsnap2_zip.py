"""`progsnap2-zip`: one ProgSnap2 dataset per episode, `<episode id>.progsnap2.zip` (docs/exports.md says
what it holds, and how the datasets join into one).

A ProgSnap2 dataset is one MainTable for all its events, which a dataset build cannot grow: a build adds
and removes episodes a few at a time, exporting each one in a worker of its own (local or Ray), and a
revoked episode's export must go with it. So a build exports ProgSnap2 as one complete dataset per
episode, in one file: the tables progsnap2.py writes for that episode alone (`main_table`). The archive is
written straight from the replay (base.py `ZippedStates`), never as files on disk first: a state's
entries as it is reached, MainTable.csv (held in a temporary file meanwhile, as an archive takes one
entry at a time) and DatasetMetadata.csv after them. The zip costs the episode's allowance as its other
exports do (allowance.py); its states are counted against it before they are written.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile

from collector.episode import Episode
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import PerEpisode
from collector.export.progsnap2.base import ZIP_TIME, ZippedStates
from collector.export.progsnap2.progsnap2 import CONTRACTS as WHOLE
from collector.export.progsnap2.progsnap2 import METADATA_CSV, main_table
from collector.export.result import ExportResult
from schemas.contract import Contract

CHUNK = 1 << 20
CONTRACTS = {"progsnap2-zip": Contract("one ProgSnap2 dataset per episode, in a zip: MainTable.csv's columns",
                                       WHOLE["progsnap2"].fields)}


class ProgSnap2ZipExporter(PerEpisode):

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        alone = ExportResult("progsnap2", self.out_dir)
        with tempfile.TemporaryFile(prefix="codetape-progsnap2-") as archive_file, \
                tempfile.TemporaryFile(prefix="codetape-progsnap2-table-") as table:
            with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                states = ZippedStates(archive)
                with main_table(table, states, alone) as exporter:
                    exporter.add(episode)
                table.seek(0)
                with archive.open(zipfile.ZipInfo("MainTable.csv", date_time=ZIP_TIME), "w") as entry:
                    shutil.copyfileobj(table, entry, CHUNK)
                archive.writestr(zipfile.ZipInfo("DatasetMetadata.csv", date_time=ZIP_TIME), METADATA_CSV)
            archive_file.seek(0)
            while chunk := archive_file.read(CHUNK):
                out.write(chunk)
        return alone.records
