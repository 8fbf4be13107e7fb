"""A TRL trainer's `_prepare_dataset`, read out of TRL's own file and run as it is, without torch.

TRL's trainer modules (`trl/trainer/sft_trainer.py`, `dpo_trainer.py`) import torch, which the test
environment does not install. The method itself needs only `trl.data_utils` and `datasets`: it is compiled
from the installed file with those names (and `global_then_local_main_first`, a barrier between processes,
as nothing in one process), so a test runs the code a trainer runs (tests/support/trl_sft.py, trl_dpo.py).
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

import datasets
import trl
import trl.data_utils


@cache
def prepare_dataset_of(module: str, trainer: str) -> Any:
    """`trainer._prepare_dataset` from `trl/trainer/<module>`, as a function taking `self` first."""
    source = Path(trl.__file__).parent / "trainer" / module
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == trainer)
    method = next(node for node in found.body
                  if isinstance(node, ast.FunctionDef) and node.name == "_prepare_dataset")
    names: dict[str, Any] = {name: getattr(trl.data_utils, name) for name in dir(trl.data_utils)
                             if not name.startswith("__")}
    names.update(json=json, Dataset=datasets.Dataset, IterableDataset=datasets.IterableDataset,
                 logger=logging.getLogger("trl"), global_then_local_main_first=contextlib.nullcontext)
    code = compile(ast.Module(body=[method], type_ignores=[]), str(source), "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    exec(code, names)
    return names["_prepare_dataset"]
