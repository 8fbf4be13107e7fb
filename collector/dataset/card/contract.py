"""The data contract: every field of every table of a dataset and of every export, gathered from what each
writer declares, and the page docs/data-contract.md rendered from it.

A table's fields are its Arrow schema's columns (rows/tables.py), each with the data dictionary's meaning
(dictionary.py) and the channels, sort and labels rows/contract.py declares; an export's are the
`CONTRACTS` its writer's module declares beside it (collector/export/**). What a consent mode does to a
field follows from its sort (schemas/contract.py TREATMENT). collector/cli/docs_pages.py writes the page;
tests/unit/docs/test_data_contract.py holds it to the fields the golden episodes' exports and dataset
rows hold.
"""

from __future__ import annotations

import importlib

import pyarrow as pa

from collector.dataset.card.dictionary import TABLES as DOCS
from collector.dataset.rows import contract as rows
from collector.dataset.rows.tables import TABLES
from schemas.contract import SOURCES, TREATMENT, WORDS, Contract, Field
from schemas.settings import EVERY_CHANNEL

# the modules under collector/export/ whose CONTRACTS declare the export formats
EXPORT_MODULES = (
    "jsonl", "jsonl_rows", "traces.atif", "edits.zeta", "edits.zeta2", "preferences.dpo",
    "preferences.dpo_agent", "preferences.kto", "preferences.stepwise", "traces.swe_messages",
    "traces.agent_trace", "progsnap2.progsnap2", "progsnap2.progsnap2_zip",
)
PAGE = "data-contract.md"
CHANNELS: dict[str, str] = {
    "edits": "the editor: opens, edits, saves, closes, the cursor, offers (the `edits` channel)",
    "diagnostics": "language servers' and linters' diagnostics (`diagnostics`)",
    "tests": "test runs: the pytest plugin, JUnit reports, `codetape run` (`tests`)",
    "commands": "terminal commands: the shell hook, `codetape run`, editors' terminals (`commands`)",
    "git": "git operations: the git watcher (`git`)",
    "files": "writes to disk from outside the editor: the file watcher (`files`)",
    "notebook_outputs": "notebook cells' outputs, opted in (`notebook_outputs`)",
    **SOURCES,
}
assert set(EVERY_CHANNEL) <= set(CHANNELS)


def _arrow_type(kind: pa.DataType) -> str:
    return str(kind).replace("<item: ", "<").replace("element: ", "")


def table_contracts() -> dict[str, Contract]:
    """Each table's contract, in rows/tables.py's order."""
    made = {}
    for table, schema in TABLES.items():
        doc = DOCS[table]
        made[table] = Contract(
            doc.summary,
            tuple(Field(column.name, _arrow_type(column.type) + ("" if column.nullable else ", never null"),
                        doc.columns[column.name], rows.channels_of(table, column.name),
                        rows.sort_of(table, column.name)) for column in schema),
            rows.LABELS.get(table, frozenset()))
    return made


def export_contracts() -> dict[str, Contract]:
    """Each export format's contract, by its name, as the modules of EXPORT_MODULES declare them."""
    made: dict[str, Contract] = {}
    for module in EXPORT_MODULES:
        made.update(importlib.import_module(f"collector.export.{module}").CONTRACTS)
    return dict(sorted(made.items()))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _section(kind: str, name: str, contract: Contract) -> list[str]:
    labels = [f"`{f.name}`" for f in contract.fields if f.name in contract.labels]
    summary = contract.summary[0].upper() + contract.summary[1:]
    lines = [f"### `{name}` {{ #{kind}-{name} }}", "", _cell(summary.rstrip(".") + "."), ""]
    lines += ([f"Label columns (the label, or what follows from it): {', '.join(labels)}.", ""] if labels
              else ["No label column.", ""])
    lines += ["| field | type | channels | attributed | unlinkable | label | meaning |",
              "|---|---|---|---|---|---|---|"]
    for f in contract.fields:
        attributed, unlinkable = TREATMENT[f.sort]
        label = "**label**" if f.name in contract.labels else ""
        channels = ", ".join(f.channels)
        lines.append(f"| `{f.name}` | {_cell(f.type)} | {channels} | {attributed} | {unlinkable} | {label} "
                     f"| {_cell(f.meaning)} |")
    return [*lines, ""]


def data_contract() -> str:
    """docs/data-contract.md: the channels, what each consent mode does, then every table and export."""
    lines = [
        "<!-- Generated from the writers' declarations by `python -m collector.cli.docs_pages`; edit those"
        " (collector/dataset/card/contract.py names them), not this page. -->",
        "# Data contract", "",
        "Every field of every table a dataset build writes (`codetape dataset build`) and of every export "
        "(`codetape export`, `codetape dataset build --exports`): its type, the channel that fills it, what "
        "each consent mode does to it, and whether it is a **label**: the label of a training export, or "
        "a column that follows from what happened after the row's moment. A model given a label column as "
        "a feature learns nothing; keep them apart. The page is generated from what each writer declares "
        "beside its code (`.venv/bin/python -m collector.cli.docs_pages` writes it; CI fails on a page out "
        "of date), and a test fails when a field of the golden episodes' dataset or exports is missing "
        "here, or one described here no longer exists. The [data dictionary](datasets.md) and "
        "[exports](exports.md) say more of what each holds.", "",
        "## Channels", "",
        "What fills a field: a channel a workspace records (`channels` in `.codetape.toml`; a "
        "channel not recorded leaves its fields empty), or a source no channel setting turns off.", "",
        "| channel | what fills it |", "|---|---|",
        *(f"| {name} | {_cell(text)} |" for name, text in CHANNELS.items()), "",
        "## What the consent modes do", "",
        "In attributed mode (the default) the episode keeps what it recorded but for redaction; in "
        "unlinkable mode signing minimises it first ([unlinkable.md](unlinkable.md)). Each field's row "
        "says which of these apply:", "",
        "| word | what it means |", "|---|---|",
        *(f"| {word} | {_cell(text)} |" for word, text in WORDS.items()), "",
        "## Tables", "",
    ]
    for name, contract in table_contracts().items():
        lines += _section("table", name, contract)
    lines += ["## Exports", ""]
    for name, contract in export_contracts().items():
        lines += _section("export", name, contract)
    return "\n".join(lines).rstrip("\n") + "\n"
