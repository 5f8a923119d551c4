"""Marking the words people read, so that the edge can render them in the reader's language.

The domain speaks English templates (``"this vote opens at {opens_at}"``) with parameters;
``N_`` marks a template for the message catalogs (gettext's "no-op" marker: it returns the
template unchanged) and the edge looks it up in the reader's language when it renders.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` as a template to translate later; returns it unchanged."""
    return message
