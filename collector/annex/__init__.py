"""`codetape policy annex`: the papers a data-protection impact assessment and a works agreement need,
written from the settings in force (the organisation's managed policy, codetape's own lists, the person's
settings where they matter) and, given a dataset, its card.

    in_force.py   what is in force: the managed policy, the defaults it bounds, the contributor's consent
                  mode, the dataset's card
    claims.py     every statement the annex makes, each built from those settings, with the tests in
                  this repository that back it (BACKING)
    render.py     the Markdown and HTML documents (Jinja2, autoescaped HTML)
"""
