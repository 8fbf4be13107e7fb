"""Card: what a dataset says about itself, written into OUT by every build (over output/).

    card.py        the dataset card: `README.md` (its YAML and scorecard) and `croissant.json`
    dictionary.py  the data dictionary: what each table is, its key and order, what every column means
    templates/     card.md.j2, the README's template (jinja2, loaded from this package)
"""
