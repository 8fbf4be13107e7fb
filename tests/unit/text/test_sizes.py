"""Sizes for a person: binary units, one decimal, the same everywhere."""

from __future__ import annotations

import pytest

from collector.text.sizes import byte_size


@pytest.mark.parametrize(("size", "said"), [
    (0, "0 bytes"), (1, "1 byte"), (1023, "1,023 bytes"), (1024, "1.0 KiB"), (3482, "3.4 KiB"),
    (1024 * 1024 - 1, "1.0 MiB"),  # 1,024.0 KiB rounds up into the next unit, not past it
    (12 * 1024 * 1024, "12.0 MiB"), (3 * 1024**3 // 2, "1.5 GiB"), (2048 * 1024**4, "2,048.0 TiB"),
])
def test_sizes_in_binary_units(size: int, said: str) -> None:
    assert byte_size(size) == said
