"""The folder a launcher puts on `PYTHONPATH` so that any pytest it starts records its tests: one module,
`codetape_pytest` (standard library only), and the distribution metadata that names it a `pytest11` plugin.
Nothing here imports codetape; nothing else may live here."""
