"""TRL's SFT preparation without a model and without torch: a tokenizer built here carrying the Qwen2.5 chat
template TRL ships, and TRL's own `SFTTrainer._prepare_dataset`.

`trl/trainer/sft_trainer.py` imports torch, which the test environment does not install (scripts/setup
installs TRL without its dependencies), so `prepare` reads `_prepare_dataset` out of that file and runs it
as it is, with what it uses from `trl.data_utils`; the one name it uses from `trl/trainer/utils.py`,
`global_then_local_main_first`, is a barrier between processes, nothing in one process. The chat template
is swapped for TRL's training template (with `{% generation %}` markers) as `SFTTrainer.__init__` does
with `assistant_only_loss`.

The tokenizer knows no words: a byte-level BPE without merges (a token per byte) and the template's special
tokens. Token ids differ from Qwen's; the text the template renders, and which of its characters are the
assistant's, do not.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import datasets
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast
from trl.chat_template_utils import get_training_chat_template, qwen2_5_chat_template

from tests.support.trl_source import prepare_dataset_of


def qwen_tokenizer() -> PreTrainedTokenizerFast:
    """A tokenizer with Qwen2.5's chat template (as TRL ships it) and a token per byte."""
    vocab = {char: number for number, char in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    inner = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    inner.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    inner.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=inner, eos_token="<|im_end|>",
                                        pad_token="<|endoftext|>", additional_special_tokens=["<|im_start|>"])
    tokenizer.chat_template = qwen2_5_chat_template
    return tokenizer


def _prepare_dataset() -> Any:
    return prepare_dataset_of("sft_trainer.py", "SFTTrainer")


def prepare(dataset: datasets.Dataset, tokenizer: PreTrainedTokenizerFast, *,
            assistant_only_loss: bool = True) -> datasets.Dataset:
    """`dataset` as `SFTTrainer` prepares it (no packing, no truncation): `input_ids` and `labels`, the
    tokens that are no assistant's -100 with `assistant_only_loss`."""
    template = get_training_chat_template(tokenizer) if assistant_only_loss else None
    trainer = SimpleNamespace(completion_only_loss=None, _tokenizer=tokenizer, chat_template=template)
    args = SimpleNamespace(dataset_num_proc=None, dataset_text_field="text", max_length=None,
                           assistant_only_loss=assistant_only_loss, shuffle_dataset=False)
    prepared: datasets.Dataset = _prepare_dataset()(trainer, dataset, tokenizer, args, False, None, "train")
    return prepared


def trained(tokenizer: PreTrainedTokenizerFast, example: dict[str, Any]) -> list[str]:
    """The texts of the runs of tokens a prepared example trains on (its labels that are not -100)."""
    runs: list[list[int]] = []
    last = -100
    for token, label in zip(example["input_ids"], example["labels"], strict=True):
        if label != -100:
            if last == -100:
                runs.append([])
            runs[-1].append(token)
        last = label
    return [str(tokenizer.decode(run)) for run in runs]
