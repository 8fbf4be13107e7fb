"""Whose work an edit is: the evidence the bridge sees, and the offers servers made.

origins.py      the origin of each edit (typed, paste, completion, AI suggestion, ...) and its evidence
offers.py       what a language server offered in proxy mode, and what the developer did with it
offer_steps.py  offers as `offer` steps, over the open documents
"""
