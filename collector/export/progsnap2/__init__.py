"""ProgSnap2: the education research format (docs/exports.md: progsnap2, progsnap2-zip).

    base.py           what the family shares: the code states, in a folder or a zip
    progsnap2.py      progsnap2: one dataset of all the episodes (DatasetMetadata.csv, MainTable.csv,
                      CodeStates/)
    progsnap2_zip.py  progsnap2-zip: one dataset per episode, zipped
"""
