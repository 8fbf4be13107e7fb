"""TRL's stepwise-supervision tokenization, `PRMTrainer.tokenize_row`, read out of TRL 0.29.0's own file and
run as it is, without torch: TRL 1.16 (the venv's) no longer ships the PRM trainer, so scripts/setup
installs TRL 0.29.0 beside the venv's packages (.venv/trl-0.29), where nothing imports it. The method needs
only `itertools.chain`; it is compiled from that file alone, so a test runs the code a PRM trainer runs on
each row: the completions joined by the step separator, a label on each step's last token, -100 elsewhere.
"""

from __future__ import annotations
import __future__

import ast
import itertools
from functools import cache
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parents[2] / ".venv" / "trl-0.29" / "trl" / "experimental" / "prm" / \
    "prm_trainer.py"
SEPARATOR = "\n"  # PRMConfig's default step_separator


@cache
def tokenize_row() -> Any:
    """`PRMTrainer.tokenize_row` (a static method) as a function."""
    assert SOURCE.is_file(), f"TRL 0.29.0's PRM trainer is not installed ({SOURCE}): run scripts/setup"
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    found = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "PRMTrainer")
    method = next(node for node in found.body
                  if isinstance(node, ast.FunctionDef) and node.name == "tokenize_row")
    method.decorator_list = []  # (@staticmethod: a plain function outside its class)
    names: dict[str, Any] = {"chain": itertools.chain}
    code = compile(ast.Module(body=[method], type_ignores=[]), str(SOURCE), "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    exec(code, names)
    return names["tokenize_row"]


def tokenized(row: dict[str, Any], tokenizer: Any) -> dict[str, list[int]]:
    """A stepwise row as PRMTrainer tokenizes it for training (no truncation, every step labelled)."""
    done: dict[str, list[int]] = tokenize_row()(row, tokenizer, SEPARATOR, None, None, False, False)
    return done


def read_back(done: dict[str, list[int]], tokenizer: Any, prompt: str) -> tuple[str, list[tuple[str, bool]]]:
    """The prompt and each step's text (its separator included) with its label, read back from the tokens
    of a row whose prompt is `prompt`: a step ends at each token whose label is not -100; nothing is left
    after the last."""
    ids, labels = done["input_ids"], done["labels"]
    start = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    start += tokenizer.bos_token_id is not None
    assert all(label == -100 for label in labels[:start])
    found: list[tuple[str, bool]] = []
    at = start
    for end in range(start, len(labels)):
        if labels[end] != -100:
            assert labels[end] in (0, 1)
            found.append((tokenizer.decode(ids[at:end + 1]), bool(labels[end])))
            at = end + 1
    assert at == len(ids), "tokens after the last step"
    return tokenizer.decode(ids[:start], skip_special_tokens=True), found
