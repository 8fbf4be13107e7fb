"""`progsnap2-zip`: one ProgSnap2 dataset per episode, `<episode id>.progsnap2.zip`.

A ProgSnap2 dataset is one MainTable for all its events, which a dataset build cannot grow: a build adds
and removes episodes a few at a time, exporting each one in a worker of its own (local or Ray), and a
revoked episode's export must go with it. So a build exports ProgSnap2 as one complete dataset per
episode, in one file: DatasetMetadata.csv, MainTable.csv and CodeStates/ (progsnap2.py, exactly what
`codetape export --format progsnap2` writes for that episode alone) zipped at the archive's root. One
file per episode, not thousands of code-state files, and removed with the episode. The datasets join
into one by concatenating their MainTables (EventIDs are `<episode id>-<Order>`, never shared) and
uniting their CodeStates/ (a state's directory is named by the hash of its files: the same name is the
same state). The zip costs the episode's allowance as its other exports do (allowance.py); symbolic
links in a code state are kept as links (their target as the entry's data, the mode of a link), and
every directory has an entry of its own, so an empty code state is in the archive too.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from pathlib import Path

from collector.episode import Episode
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import PerEpisode
from collector.export.progsnap2 import progsnap2
from collector.export.result import ExportResult

CHUNK = 1 << 20


class ProgSnap2ZipExporter(PerEpisode):

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        with tempfile.TemporaryDirectory(prefix="codetape-progsnap2-") as scratch:
            dataset, archive = Path(scratch) / "dataset", Path(scratch) / "dataset.zip"
            dataset.mkdir()
            alone = ExportResult("progsnap2", dataset)
            with progsnap2(dataset, alone) as exporter:
                exporter.add(episode)
            _zip(dataset, archive)
            with open(archive, "rb") as source:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
        return alone.records


def _zip(root: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            if folder != str(root):  # a directory of its own: an empty code state is a state too
                zipped.write(folder, os.path.relpath(folder, root).replace(os.sep, "/") + "/")
            for name in (*sorted(files), *sorted(d for d in dirs if os.path.islink(os.path.join(folder, d)))):
                path = os.path.join(folder, name)
                entry = os.path.relpath(path, root).replace(os.sep, "/")
                if os.path.islink(path):
                    info = zipfile.ZipInfo(entry)
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    zipped.writestr(info, os.readlink(path))
                else:
                    zipped.write(path, entry)
