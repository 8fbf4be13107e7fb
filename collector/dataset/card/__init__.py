"""Card: what a dataset says about itself, written into OUT by every build (over output/).

    facts.py       what the card says of the episodes, read from the manifest and `episodes`; consent mode, k
    scores.py      the scorecard's figures, computed once: its README lines and its YAML's `codetape` key
    card.py        the README: its YAML front matter and Markdown (rendered from templates/), `write_card`
    croissant.py   `croissant.json`: the tables as Croissant 1.0 record sets, with the Responsible AI fields
    dictionary.py  the data dictionary: what each table is, its key and order, what every column means
    templates/     card.md.j2, the README's template (jinja2, loaded from this package)
"""
