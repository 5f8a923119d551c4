"""Input checks shared by every service: bounded, trimmed text and well-formed values."""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidInput


def clean_text(field: str, value: str | None, *, max_length: int, required: bool = True) -> str:
    """Trimmed text within ``max_length`` characters, with no control characters."""
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return ""
    text = value.strip()
    if required and not text:
        raise InvalidInput(field, "must not be empty")
    if len(text) > max_length:
        raise InvalidInput(field, f"must be at most {max_length} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInput(field, "must not contain control characters")
    return text


def optional_text(field: str, value: str | None, *, max_length: int) -> str | None:
    if value is None:
        return None
    text = clean_text(field, value, max_length=max_length, required=False)
    return text or None
