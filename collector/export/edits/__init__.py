"""Edits: the next-edit formats, written from the edit bursts of an episode (docs/exports.md: zeta, zeta2).

    base/       what the family shares (and the exports beside it use): edit bursts, the examples a split
                compares
    excerpt.py  the excerpt around a burst zeta and zeta2 show (its editable region, under a token budget)
    zeta.py     zeta: Zed's zeta dataset rows (events, input, output)
    zeta2.py    zeta2: Zed's ExampleSpec rows, at the revision's text (revision.py)
"""
