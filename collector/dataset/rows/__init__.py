"""Rows: the tables' schemas, and one episode's rows gathered while it replays (over check/).

    tables.py        the tables' Arrow schemas, month partitions, row group sizes
    columns.py       one table's rows gathered column by column, Arrow a batch at a time
    rows.py          an episode's steps, file states, test runs and commands, gathered while it replays
    typed_rows.py    the typed tables: `edits`, `diagnostics`, ...
    transitions.py   `transitions` (state -> action -> state) and the file texts they name (`blobs`)
    offers.py        `offers` and `preferences`: the AI suggestions and what became of them
    survival.py      survival labels as the columns of `edits` and `transitions`
    episode_row.py   its row of `episodes`: header, consent statement, signer, counts
"""
