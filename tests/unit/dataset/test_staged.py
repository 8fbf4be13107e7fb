"""The split written into a staged export file in place of its token (collector/dataset/output/staged.py)."""

from __future__ import annotations

import io

import pytest

from collector.dataset.output.staged import split_in

TOKEN = b"codetape-split-0123456789abcdef"


@pytest.mark.parametrize("chunk", [1, 2, 7, len(TOKEN) - 1, len(TOKEN), len(TOKEN) + 1, 1 << 20])
def test_every_token_is_replaced_wherever_the_chunks_cut_it(chunk: int) -> None:
    text = (b'{"split":"' + TOKEN + b'","x":"codetape-split-"}\n' + b"a" * 50 + b'"split:' + TOKEN + b'"'
            + TOKEN[:-1] + b"\n")
    found = b"".join(split_in(io.BytesIO(text), TOKEN, b"eval", chunk))
    assert found == text.replace(TOKEN, b"eval")
    assert found.count(b"eval") == 2 and found.endswith(TOKEN[:-1] + b"\n")  # a part of one is left as is


def test_without_a_token_the_bytes_are_copied() -> None:
    text = b"x" * 100 + TOKEN
    assert b"".join(split_in(io.BytesIO(text), None, b"eval", 8)) == text
