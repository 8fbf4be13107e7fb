"""The content hash of a text, as save steps and reconstruction compare them."""

from __future__ import annotations

import hashlib


def sha256_text(text: str) -> str:
    """SHA-256 of the text's UTF-8 bytes (lone surrogates kept as they are), hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
