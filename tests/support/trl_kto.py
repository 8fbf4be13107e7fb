"""TRL's KTO preparation without a model and without torch: TRL's own `KTOTrainer._prepare_dataset` (the
EOS added to each completion, the tokenization into prompt_ids and completion_ids, the mismatched KL
completions, the desirable/undesirable balance), read out of `trl/trainer/kto_trainer.py` and run as it is
(trl_source.py), with the byte tokenizer of trl_dpo.py: token ids differ from a real model's, the text each
part decodes to does not.

TRL 1.16 promoted KTO to its stable API: `trl/experimental/kto` only re-exports the trainer of
`trl/trainer/kto_trainer.py` (deprecated there), so that file is the code that runs.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import datasets
from transformers import PreTrainedTokenizerFast

from tests.support.trl_source import prepare_dataset_of

BATCH = 4  # per_device_train_batch_size: the KL completions are rotated within batches of it


def _prepare_dataset() -> Any:
    return prepare_dataset_of("kto_trainer.py", "KTOTrainer")


def prepare(dataset: datasets.Dataset, tokenizer: PreTrainedTokenizerFast) -> datasets.Dataset:
    """`dataset` as `KTOTrainer` prepares its train set (no truncation, the KL term on, as its default loss
    has it): with prompt_ids, completion_ids and KL_completion_ids."""
    trainer = SimpleNamespace(_tokenizer=tokenizer, calculate_KL=True, desirable_weight=1.0,
                              undesirable_weight=1.0)
    args = SimpleNamespace(dataset_num_proc=None, max_length=None, per_device_train_batch_size=BATCH)
    prepared: datasets.Dataset = _prepare_dataset()(trainer, dataset, tokenizer, args, "train")
    return prepared
