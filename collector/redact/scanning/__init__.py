"""Scanning one text: the maintained engine (engine.py), the rule set (ruleset.py), the scan that
resolves both into one set of findings (scanner.py), and which texts could hold a credential at
all (shape.py).
"""
