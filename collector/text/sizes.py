"""Sizes for a person, in one convention everywhere: binary units (1 KiB is 1,024 bytes), as the review
shows them, so an episode's size reads the same in the review, at upload and in a report."""

from __future__ import annotations

UNITS = ("KiB", "MiB", "GiB", "TiB")


def byte_size(size: int) -> str:
    """`1 byte`, `900 bytes`, `3.4 KiB`, `12.0 MiB`, `1.5 GiB`: one decimal from a KiB on."""
    if size < 1024:
        return f"{size:,} byte{'s' * (size != 1)}"
    amount = float(size)
    for unit in UNITS:
        amount /= 1024
        if round(amount, 1) < 1024 or unit == UNITS[-1]:
            break
    return f"{amount:,.1f} {unit}"
