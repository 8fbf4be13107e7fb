"""TRL's DPO preparation without a model and without torch: a tokenizer built here, and TRL's own
`DPOTrainer._prepare_dataset` (the prompt extraction when there is none, the EOS added to each side, the
tokenization into prompt_ids, chosen_ids and rejected_ids).

`trl/trainer/dpo_trainer.py` imports torch, which the test environment does not install, so `prepare`
reads `_prepare_dataset` out of that file and runs it as it is, with what it uses from `trl.data_utils`
(`extract_prompt`, `is_conversational`, `_tokenize`, `common_prefix_length`); `global_then_local_main_first`
is a barrier between processes, nothing in one process.

`byte_tokenizer` knows no words: a byte-level BPE without merges (a token per byte), `<|endoftext|>` and
StarCoder's fill-in-the-middle tokens as special tokens. Token ids differ from a real model's; the text
each side decodes to does not, so a test can check that TRL trains on exactly the text exported.
`code_tokenizer` merges as a code model's does: Qwen2's pre-tokenizer (its split pattern, then byte-level
BPE, as Qwen2.5-Coder's tokenizer.json has it) with merges trained on the texts given, so that runs of
spaces, words and a word with the space in front of it are one token, and a prompt ending in indentation
or inside a word merges with what follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import datasets
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

from tests.support.trl_source import prepare_dataset_of

EOS = "<|endoftext|>"
FIM = ["<fim_prefix>", "<fim_suffix>", "<fim_middle>"]
# Qwen2's pre-tokenizer split (Qwen2.5-Coder's tokenizer.json, `pre_tokenizer`)
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
               r"\s*[\r\n]+|\s+(?!\S)|\s+")


def byte_tokenizer() -> PreTrainedTokenizerFast:
    """A token per byte, EOS and the FIM tokens special."""
    vocab = {char: number for number, char in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    inner = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    inner.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    inner.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=inner, eos_token=EOS, pad_token=EOS,
                                   additional_special_tokens=FIM)


def code_tokenizer(texts: Iterable[str], vocab_size: int = 2000, *,
                   gpt2: bool = False) -> PreTrainedTokenizerFast:
    """A byte-level BPE with Qwen2's pre-tokenizer (`gpt2`: GPT-2's, the `tokenizers` ByteLevel default,
    which joins a line break to the indentation after it), its merges trained on `texts`; EOS and the
    FIM tokens special."""
    inner = Tokenizer(models.BPE())
    inner.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True) if gpt2 else (
        pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]))
    inner.decoder = decoders.ByteLevel()
    inner.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[EOS, *FIM],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=inner, eos_token=EOS, pad_token=EOS,
                                   additional_special_tokens=FIM)


def _prepare_dataset() -> Any:
    return prepare_dataset_of("dpo_trainer.py", "DPOTrainer")


def prepare(dataset: datasets.Dataset, tokenizer: PreTrainedTokenizerFast) -> datasets.Dataset:
    """`dataset` as `DPOTrainer` prepares it (no truncation): with prompt_ids, chosen_ids, rejected_ids."""
    trainer = SimpleNamespace(_tokenizer=tokenizer)
    args = SimpleNamespace(dataset_num_proc=None, max_length=None, truncation_mode="keep_start")
    prepared: datasets.Dataset = _prepare_dataset()(trainer, dataset, tokenizer, args, "train")
    return prepared
