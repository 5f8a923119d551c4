"""Input checks shared by every service: bounded, trimmed text and well-formed values."""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidInput
from domain.i18n import N_

_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")
"""Control, format (zero-width), surrogate, private-use and unassigned characters: none of them
belongs in a name or an address, and zero-width ones make two different rows look alike."""


def clean_text(field: str, value: str | None, *, max_length: int, required: bool = True) -> str:
    """Trimmed text within ``max_length`` characters, with no control characters."""
    if value is None:
        if required:
            raise InvalidInput(field, N_("is required"))
        return ""
    text = value.strip()
    if required and not text:
        raise InvalidInput(field, N_("must not be empty"))
    if len(text) > max_length:
        raise InvalidInput(field, N_("must be at most {count} characters"), count=max_length)
    if any(unicodedata.category(ch) in _INVISIBLE for ch in text):
        raise InvalidInput(field, N_("must not contain control or invisible characters"))
    return text


def optional_text(field: str, value: str | None, *, max_length: int) -> str | None:
    if value is None:
        return None
    text = clean_text(field, value, max_length=max_length, required=False)
    return text or None
